import sys

from facegui.app import main

sys.exit(main())
