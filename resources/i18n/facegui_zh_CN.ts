<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AppContext</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Cannot save the settings file: %1</source>
        <translation>无法保存设置文件：%1</translation>
    </message>
</context>
<context>
    <name>AttendanceTable</name>
    <message>
        <source>present</source>
        <translation>已签到</translation>
    </message>
    <message>
        <source>absent</source>
        <translation>未签到</translation>
    </message>
</context>
<context>
    <name>CameraList</name>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Stop showing the selected camera</source>
        <translation>不再显示所选摄像头</translation>
    </message>
</context>
<context>
    <name>CameraWorker</name>
    <message>
        <source>opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <source>%1; retrying in %2 s</source>
        <translation>%1；%2 秒后重试</translation>
    </message>
    <message>
        <source>no frames from %1 for %2 s, retrying in %3 s</source>
        <translation>%1 已有 %2 秒没有画面，%3 秒后重试</translation>
    </message>
    <message>
        <source>%1 stopped delivering frames; reconnecting in %2 s</source>
        <translation>%1 不再传来画面，%2 秒后重新连接</translation>
    </message>
    <message>
        <source>%1 gives no frames; reconnecting in %2 s</source>
        <translation>%1 没有画面，%2 秒后重新连接</translation>
    </message>
    <message>
        <source>end of %1</source>
        <translation>%1 已播放完毕</translation>
    </message>
    <message>
        <source>camera stopped</source>
        <translation>摄像头已关闭</translation>
    </message>
    <message>
        <source>streaming %1</source>
        <translation>正在读取 %1</translation>
    </message>
    <message>
        <source>recognition failed: %1; trying again in %2 s</source>
        <translation>识别出错：%1；%2 秒后重试</translation>
    </message>
</context>
<context>
    <name>CheckInBanner</name>
    <message>
        <source>Already checked in at %1</source>
        <translation>今天 %1 已签到</translation>
    </message>
    <message>
        <source>Checked in</source>
        <translation>签到成功</translation>
    </message>
</context>
<context>
    <name>DataRights</name>
    <message>
        <source>Export my data into…</source>
        <translation>将我的数据导出到…</translation>
    </message>
    <message>
        <source>Exporting all face data…</source>
        <translation>正在导出全部人脸数据…</translation>
    </message>
    <message>
        <source>Exported all face data to %1</source>
        <translation>全部人脸数据已导出到 %1</translation>
    </message>
    <message>
        <source>Export my data</source>
        <translation>导出我的数据</translation>
    </message>
    <message>
        <source>Everything facegui holds about people (database, people.json, checkins.csv, snapshots, thumbnails) is in:
%1</source>
        <translation>facegui 保存的全部人员数据（数据库、people.json、checkins.csv、抓拍照片、头像）已导出到：
%1</translation>
    </message>
    <message>
        <source>Delete all face data</source>
        <translation>删除全部人脸数据</translation>
    </message>
    <message>
        <source>Delete ALL face data in %1?

• every enrolled person (%2), their names and face embeddings
• all attendance check-ins and sightings
• logged unknown faces
• attendance snapshots and the thumbnails of the people list

Models and settings are kept. The camera stops. This cannot be undone; export the data first (File → Export my data…) if you may need it.</source>
        <translation>确定删除 %1 中的全部人脸数据吗？

• 所有已录入人员（%2 人）及其姓名和人脸特征
• 全部签到和识别记录
• 记录下的陌生人
• 抓拍照片和人员列表中的头像

模型和设置会保留，摄像头将关闭。此操作无法撤销；如果以后可能用到这些数据，请先导出（文件 → 导出我的数据…）。</translation>
    </message>
    <message>
        <source>Not everything could be deleted: %1</source>
        <translation>有部分数据未能删除：%1</translation>
    </message>
    <message numerus="yes">
        <source>Deleted all face data (%n item(s) in %1)</source>
        <translation>
            <numerusform>已删除全部人脸数据（%1 中共 %n 项）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EnrollDialog</name>
    <message>
        <source>Enroll person</source>
        <translation>录入人员</translation>
    </message>
    <message>
        <source>Capture from camera</source>
        <translation>从摄像头拍照</translation>
    </message>
    <message>
        <source>Use the frame the live view shows now</source>
        <translation>使用实时画面当前显示的这一帧</translation>
    </message>
    <message>
        <source>Add photos…</source>
        <translation>添加照片…</translation>
    </message>
    <message>
        <source>Remove photo</source>
        <translation>移除照片</translation>
    </message>
    <message>
        <source>…or drop image files here</source>
        <translation>…或把图片文件拖到这里</translation>
    </message>
    <message>
        <source>No photo yet</source>
        <translation>还没有照片</translation>
    </message>
    <message>
        <source>Faces in this photo (click to choose):</source>
        <translation>照片中的人脸（点击选择）：</translation>
    </message>
    <message>
        <source>New name, or pick someone to add photos to</source>
        <translation>输入新姓名，或选择已录入的人员以添加照片</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <source>Enroll</source>
        <translation>录入</translation>
    </message>
    <message>
        <source>The camera is not streaming: start it first, or add photo files.</source>
        <translation>摄像头未开启：请先打开摄像头，或添加照片文件。</translation>
    </message>
    <message>
        <source>Photos of the person</source>
        <translation>选择此人的照片</translation>
    </message>
    <message>
        <source>Looking for faces…</source>
        <translation>正在查找人脸…</translation>
    </message>
    <message>
        <source>Could not look for faces: %1</source>
        <translation>无法查找人脸：%1</translation>
    </message>
    <message>
        <source>Enter the name, then press Enroll.</source>
        <translation>请输入姓名，然后点击“录入”。</translation>
    </message>
    <message numerus="yes">
        <source> (%n faces, #%1 chosen)</source>
        <translation>
            <numerusform>（%n 张人脸，已选第 %1 张）</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 px wide, sharpness %2</source>
        <translation>宽 %1 像素，清晰度 %2</translation>
    </message>
    <message>
        <source>No face</source>
        <translation>没有人脸</translation>
    </message>
    <message>
        <source>No face found in %1: remove it and add another photo.</source>
        <translation>%1 中没有找到人脸：请移除这张照片，换一张。</translation>
    </message>
    <message>
        <source>Not usable</source>
        <translation>无法使用</translation>
    </message>
    <message>
        <source>%1: %2 — remove it and add another photo.</source>
        <translation>%1：%2 — 请移除这张照片，换一张。</translation>
    </message>
    <message>
        <source>Warning: %1.</source>
        <translation>注意：%1。</translation>
    </message>
    <message numerus="yes">
        <source>%n faces found in %1; face #%2 (the largest confident one) will be enrolled. Click another face above to choose it.</source>
        <translation>
            <numerusform>%1 中找到 %n 张人脸，将录入第 %2 张（最大且最清楚的一张）。如需换一张，请点击上方的其他人脸。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n faces found in %1; face #%2 (your choice) will be enrolled. Click another face above to choose it.</source>
        <translation>
            <numerusform>%1 中找到 %n 张人脸，将录入第 %2 张（您选择的）。如需换一张，请点击上方的其他人脸。</numerusform>
        </translation>
    </message>
    <message>
        <source>Enter the person&apos;s name: it cannot be empty.</source>
        <translation>请输入姓名，姓名不能为空。</translation>
    </message>
    <message>
        <source>Add a photo first: capture the camera frame or choose image files.</source>
        <translation>请先添加照片：从摄像头拍照，或选择图片文件。</translation>
    </message>
    <message>
        <source>Still looking for faces; try again in a moment.</source>
        <translation>仍在查找人脸，请稍后再试。</translation>
    </message>
    <message>
        <source>Cannot enroll:</source>
        <translation>无法录入：</translation>
    </message>
    <message>
        <source> — remove it or add another photo</source>
        <translation>——请移除该照片，或另加一张照片</translation>
    </message>
    <message>
        <source>Enrolling %1…</source>
        <translation>正在录入 %1…</translation>
    </message>
    <message numerus="yes">
        <source>Enrolled %n photo(s) of %1.</source>
        <translation>
            <numerusform>已为 %1 录入 %n 张照片。</numerusform>
        </translation>
    </message>
    <message>
        <source>Skipped %1.</source>
        <translation>已跳过：%1。</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>Enrollment failed: %1</source>
        <translation>录入失败：%1</translation>
    </message>
</context>
<context>
    <name>EnrollProblem</name>
    <message>
        <source>the face is %1 px wide, smaller than the minimum of %2 px — use a closer or larger photo</source>
        <translation>人脸宽 %1 像素，小于最小值 %2 像素——请使用拍得更近或更大的照片</translation>
    </message>
    <message>
        <source>the face is too blurry (sharpness %1, minimum %2) — use a sharper photo</source>
        <translation>人脸太模糊（清晰度 %1，最低 %2）——请使用更清晰的照片</translation>
    </message>
    <message>
        <source>this face looks like %1, who is already enrolled (similarity %2, threshold %3) — under a second name the station could show either; enroll it as %1</source>
        <translation>这张人脸与已录入的 %1 相似（相似度 %2，阈值 %3）——以另一个姓名录入后，签到点可能显示其中任一姓名；请录入为 %1</translation>
    </message>
    <message>
        <source>this face does not look like %1&apos;s enrolled faces (best similarity %2, minimum %3) — it may be somebody else&apos;s photo under their name</source>
        <translation>这张人脸与 %1 已录入的人脸都不相似（最高相似度 %2，最低 %3）——可能是别人的照片被记在了此人名下</translation>
    </message>
    <message>
        <source>no face found</source>
        <translation>未找到人脸</translation>
    </message>
    <message>
        <source>already enrolled</source>
        <translation>已录入</translation>
    </message>
    <message>
        <source>already gone (dismissed, or enrolled elsewhere)</source>
        <translation>已不存在（已忽略，或已在别处录入）</translation>
    </message>
    <message>
        <source>embedded by model %1, the gallery uses %2</source>
        <translation>由模型 %1 提取特征，人脸库使用的是 %2</translation>
    </message>
    <message>
        <source>unknown face #%1</source>
        <translation>陌生人 #%1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1: photo %2 looks like none of this person&apos;s other photos (best similarity %3): it may be somebody else&apos;s</source>
        <translation>%1：照片 %2 与此人的其他照片都不相似（最高相似度 %3），可能是别人的照片</translation>
    </message>
    <message>
        <source>%1: photo %2 looks like %3&apos;s photo %4 (similarity %5): the station can show either name for this face</source>
        <translation>%1：照片 %2 与 %3 的照片 %4 相似（相似度 %5），签到点可能为这张人脸显示其中任一姓名</translation>
    </message>
</context>
<context>
    <name>FaceOverlay</name>
    <message>
        <source>unknown</source>
        <translation>陌生人</translation>
    </message>
</context>
<context>
    <name>FileDialogs</name>
    <message>
        <source>Images (%1);;All files (*)</source>
        <translation>图片 (%1);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Videos (*.mp4 *.avi *.mkv *.mov *.webm *.m4v *.mpg *.mpeg);;All files (*)</source>
        <translation>视频 (*.mp4 *.avi *.mkv *.mov *.webm *.m4v *.mpg *.mpeg);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Not available in kiosk mode: leave kiosk mode first</source>
        <translation>无人值守模式下不可用：请先退出无人值守模式</translation>
    </message>
</context>
<context>
    <name>FileKind</name>
    <message>
        <source>a named pipe (FIFO)</source>
        <translation>命名管道（FIFO）</translation>
    </message>
    <message>
        <source>a character device</source>
        <translation>字符设备</translation>
    </message>
    <message>
        <source>a block device</source>
        <translation>块设备</translation>
    </message>
    <message>
        <source>a socket</source>
        <translation>套接字</translation>
    </message>
    <message>
        <source>not a regular file</source>
        <translation>非普通文件</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <source>Model files (*.pth *.onnx);;All files (*)</source>
        <translation>模型文件 (*.pth *.onnx);;所有文件 (*)</translation>
    </message>
    <message>
        <source>the face detector (RetinaFace)</source>
        <translation>人脸检测模型（RetinaFace）</translation>
    </message>
    <message>
        <source>the face embedder (ArcFace)</source>
        <translation>人脸特征模型（ArcFace）</translation>
    </message>
    <message>
        <source>facegui — models needed</source>
        <translation>facegui — 需要安装模型</translation>
    </message>
    <message>
        <source>&amp;Import model file…</source>
        <translation>导入模型文件(&amp;I)…</translation>
    </message>
    <message>
        <source>&amp;Download</source>
        <translation>下载(&amp;D)</translation>
    </message>
    <message>
        <source>Fetch the pinned upstream weights (about 6 MB) and convert them</source>
        <translation>下载指定版本的原始权重（约 6 MB）并转换</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>facegui needs its face models</source>
        <translation>facegui 需要人脸模型</translation>
    </message>
    <message>
        <source>Not installed yet:</source>
        <translation>尚未安装：</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Import model file…&lt;/b&gt; takes the original weights (&lt;code&gt;.pth&lt;/code&gt;, checked by SHA-256 and converted here) or an ArcFace-style &lt;code&gt;.onnx&lt;/code&gt; (112×112 input). Select several files at once if more than one is missing.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;导入模型文件…&lt;/b&gt;：可导入原始权重（&lt;code&gt;.pth&lt;/code&gt;，经 SHA-256 校验后在本机转换），或 ArcFace 类的 &lt;code&gt;.onnx&lt;/code&gt; 模型（输入 112×112）。缺少多个模型时，可一次选择多个文件。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Download&lt;/b&gt; fetches the pinned weights from GitHub (needs the internet; nothing else is ever sent or fetched).&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;下载&lt;/b&gt;：从 GitHub 下载指定版本的权重（需要联网；除此之外不会发送或下载任何内容）。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;Models are installed in &lt;code&gt;%1&lt;/code&gt;.&lt;/p&gt;</source>
        <translation>&lt;p&gt;模型安装位置：&lt;code&gt;%1&lt;/code&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Import model files</source>
        <translation>导入模型文件</translation>
    </message>
    <message>
        <source>Importing %1…</source>
        <translation>正在导入 %1…</translation>
    </message>
    <message>
        <source>Downloading the models…</source>
        <translation>正在下载模型…</translation>
    </message>
    <message>
        <source>Installed %1.</source>
        <translation>已安装 %1。</translation>
    </message>
    <message>
        <source>Installed %1; still missing: %2.</source>
        <translation>已安装 %1；仍缺少：%2。</translation>
    </message>
    <message>
        <source>facegui — models</source>
        <translation>facegui — 模型</translation>
    </message>
</context>
<context>
    <name>Guard</name>
    <message>
        <source>Wrong PIN</source>
        <translation>管理员密码错误</translation>
    </message>
    <message>
        <source>The admin PIN record is damaged or cannot be read, so no PIN opens the lock; docs/security.md says how to remove it</source>
        <translation>管理员密码记录已损坏或无法读取，任何密码都无法解锁；清除方法见 docs/security.md</translation>
    </message>
    <message>
        <source>Too many wrong PINs; try again in %1 s</source>
        <translation>密码错误次数过多，请 %1 秒后再试</translation>
    </message>
    <message>
        <source>Admin PIN cleared: every action is open to anyone at this computer</source>
        <translation>已清除管理员密码：这台电脑前的任何人都能进行所有操作</translation>
    </message>
    <message>
        <source>No admin PIN is set</source>
        <translation>尚未设置管理员密码</translation>
    </message>
    <message>
        <source>The two new PINs differ</source>
        <translation>两次输入的新密码不一致</translation>
    </message>
    <message>
        <source>Admin PIN set</source>
        <translation>管理员密码已设置</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <source>Everyone</source>
        <translation>全部人员</translation>
    </message>
    <message>
        <source>Attendance history</source>
        <translation>考勤记录</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Everyone&apos;s days of the chosen range, as a spreadsheet file</source>
        <translation>将所选日期范围内所有人的考勤导出为表格文件</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>First seen</source>
        <translation>首次识别</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>最近识别</translation>
    </message>
    <message>
        <source>Sightings</source>
        <translation>识别次数</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>签到点</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message numerus="yes">
        <source>%n day record(s), %1 present.</source>
        <translation>
            <numerusform>共 %n 条记录，已签到 %1 条。</numerusform>
        </translation>
    </message>
    <message>
        <source>Nobody was enrolled in this range.</source>
        <translation>这段时间内没有已录入的人员。</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>出错：%1</translation>
    </message>
    <message>
        <source>Export attendance</source>
        <translation>导出考勤记录</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export refused.</source>
        <translation>导出未获允许。</translation>
    </message>
    <message numerus="yes">
        <source>Exported %n row(s) to %1.</source>
        <translation>
            <numerusform>已导出 %n 行到 %1。</numerusform>
        </translation>
    </message>
    <message>
        <source>Exporting to %1…</source>
        <translation>正在导出到 %1…</translation>
    </message>
</context>
<context>
    <name>Identifier</name>
    <message>
        <source>no images found</source>
        <translation>没有找到图片</translation>
    </message>
    <message>
        <source>cannot be identified (%1)</source>
        <translation>无法识别（%1）</translation>
    </message>
    <message>
        <source>Identify photos</source>
        <translation>识别照片</translation>
    </message>
    <message numerus="yes">
        <source>Identification results — %n item(s)</source>
        <translation>
            <numerusform>识别结果 — 共 %n 项</numerusform>
        </translation>
    </message>
    <message>
        <source>Identifying…</source>
        <translation>正在识别…</translation>
    </message>
    <message numerus="yes">
        <source>Identified %n face(s) in %1</source>
        <translation>
            <numerusform>在 %1中识别出 %n 张人脸</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n 张图片</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; %n file(s) could not be read</source>
        <translation>
            <numerusform>；%n 个文件无法读取</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>IdentifyResultsDialog</name>
    <message>
        <source>Identification results</source>
        <translation>识别结果</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Similarity</source>
        <translation>相似度</translation>
    </message>
    <message>
        <source>no face</source>
        <translation>没有人脸</translation>
    </message>
    <message numerus="yes">
        <source>%n face(s), left to right</source>
        <translation>
            <numerusform>%n 张人脸，从左到右</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ImageError</name>
    <message>
        <source>empty file</source>
        <translation>空文件</translation>
    </message>
    <message>
        <source>not an image or corrupt (cannot be decoded)</source>
        <translation>不是图片或文件已损坏（无法解码）</translation>
    </message>
    <message>
        <source>image has zero width or height</source>
        <translation>图片的宽或高为零</translation>
    </message>
    <message>
        <source>no such file</source>
        <translation>文件不存在</translation>
    </message>
    <message>
        <source>is a folder, not an image</source>
        <translation>这是文件夹，不是图片</translation>
    </message>
    <message>
        <source>is a named pipe (FIFO), not an image file</source>
        <translation>这是命名管道（FIFO），不是图片文件</translation>
    </message>
    <message>
        <source>is a character device, not an image file</source>
        <translation>这是字符设备，不是图片文件</translation>
    </message>
    <message>
        <source>is a block device, not an image file</source>
        <translation>这是块设备，不是图片文件</translation>
    </message>
    <message>
        <source>is a socket, not an image file</source>
        <translation>这是套接字，不是图片文件</translation>
    </message>
    <message>
        <source>HEIC photos (an iPhone&apos;s default) are not read; save it as JPEG, or set the iPhone to Settings &gt; Camera &gt; Formats &gt; Most Compatible</source>
        <translation>不能读取 HEIC 照片（iPhone 的默认格式）；请另存为 JPEG，或在 iPhone 上选择 设置 &gt; 相机 &gt; 格式 &gt; 兼容性最佳</translation>
    </message>
    <message>
        <source>AVIF photos are not read; save it as JPEG or PNG</source>
        <translation>不能读取 AVIF 照片；请另存为 JPEG 或 PNG</translation>
    </message>
</context>
<context>
    <name>KioskMode</name>
    <message>
        <source>Kiosk mode: no admin PIN is set, so anyone can leave it (File → Set admin PIN…)</source>
        <translation>无人值守模式：尚未设置管理员密码，任何人都能退出（文件 → 设置管理员密码…）</translation>
    </message>
</context>
<context>
    <name>Language</name>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>People</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日考勤</translation>
    </message>
    <message>
        <source>Unknown faces</source>
        <translation>陌生人</translation>
    </message>
    <message numerus="yes">
        <source>Unknown faces (%n)</source>
        <translation>
            <numerusform>陌生人（%n）</numerusform>
        </translation>
    </message>
    <message>
        <source>At most %1 cameras can be shown side by side.</source>
        <translation>最多可同时显示 %1 个摄像头。</translation>
    </message>
    <message>
        <source>Add camera</source>
        <translation>添加摄像头</translation>
    </message>
    <message>
        <source>%1 is shown already.</source>
        <translation>%1 已在显示中。</translation>
    </message>
    <message>
        <source>Reloading the models…</source>
        <translation>正在重新加载模型…</translation>
    </message>
    <message>
        <source>Models reloaded — CUDA unavailable, using CPU</source>
        <translation>模型已重新加载 — CUDA 不可用，改用 CPU</translation>
    </message>
    <message>
        <source>Models reloaded</source>
        <translation>模型已重新加载</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Cannot reload the models: %1</source>
        <translation>无法重新加载模型：%1</translation>
    </message>
    <message>
        <source>Administrator PIN</source>
        <translation>管理员密码</translation>
    </message>
    <message>
        <source>Face-recognition attendance: RetinaFace detection, ArcFace embeddings, faiss search.</source>
        <translation>人脸识别考勤：RetinaFace 人脸检测，ArcFace 人脸特征，faiss 检索。</translation>
    </message>
    <message>
        <source>Models: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>运行设备：%1</translation>
    </message>
    <message>
        <source>Data: %1</source>
        <translation>数据位置：%1</translation>
    </message>
    <message>
        <source>Problems log: %1</source>
        <translation>问题日志：%1</translation>
    </message>
    <message>
        <source>About facegui</source>
        <translation>关于 facegui</translation>
    </message>
    <message>
        <source>Unexpected error (%1), a bug: the window goes on; the details are in Help ▸ Problems log</source>
        <translation>意外错误（%1），这是程序缺陷：窗口继续运行；详情见“帮助 ▸ 问题日志”</translation>
    </message>
</context>
<context>
    <name>Menu</name>
    <message>
        <source>&amp;Start camera</source>
        <translation>打开摄像头(&amp;S)</translation>
    </message>
    <message>
        <source>Start or stop the camera</source>
        <translation>打开或关闭摄像头</translation>
    </message>
    <message>
        <source>Choose &amp;source…</source>
        <translation>选择视频源(&amp;O)…</translation>
    </message>
    <message>
        <source>Camera device, video file or stream URL</source>
        <translation>摄像头、视频文件或视频流地址</translation>
    </message>
    <message>
        <source>&amp;Add camera…</source>
        <translation>添加摄像头(&amp;A)…</translation>
    </message>
    <message>
        <source>Show and recognise one more camera beside the others (up to four)</source>
        <translation>再显示并识别一个摄像头，与其他摄像头并排（最多四个）</translation>
    </message>
    <message>
        <source>&amp;Enroll person…</source>
        <translation>录入人员(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Identify photos…</source>
        <translation>识别照片(&amp;I)…</translation>
    </message>
    <message>
        <source>Name every face in image files (or drop them on the window)</source>
        <translation>识别图片中的每张人脸（也可以把图片拖到窗口上）</translation>
    </message>
    <message>
        <source>&amp;Remove person…</source>
        <translation>删除人员(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Check photos</source>
        <translation>检查照片(&amp;C)</translation>
    </message>
    <message>
        <source>Photos that look like none of their person&apos;s others, and two people who look alike</source>
        <translation>找出与本人其他照片都不相似的照片，以及相似的两个人</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>设置(&amp;T)…</translation>
    </message>
    <message>
        <source>Open &amp;data folder</source>
        <translation>打开数据文件夹(&amp;D)</translation>
    </message>
    <message>
        <source>Attendance &amp;history…</source>
        <translation>考勤记录(&amp;H)…</translation>
    </message>
    <message>
        <source>Who was present on which days; export as CSV</source>
        <translation>查看每天谁已签到，可导出为 CSV</translation>
    </message>
    <message>
        <source>&amp;About facegui</source>
        <translation>关于 facegui(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Problems log…</source>
        <translation>问题日志(&amp;P)…</translation>
    </message>
    <message>
        <source>Warnings and unexpected errors, newest last: what went wrong while nobody watched</source>
        <translation>警告和意外错误，最新的在最后：无人值守时出了什么问题</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>E&amp;xport my data…</source>
        <translation>导出我的数据(&amp;X)…</translation>
    </message>
    <message>
        <source>Copy everything facegui holds about people to a folder</source>
        <translation>把 facegui 保存的全部人员数据复制到一个文件夹</translation>
    </message>
    <message>
        <source>&amp;Delete all face data…</source>
        <translation>删除全部人脸数据(&amp;D)…</translation>
    </message>
    <message>
        <source>Delete every enrolled person, face, check-in and snapshot</source>
        <translation>删除所有已录入人员、人脸、签到记录和抓拍照片</translation>
    </message>
    <message>
        <source>&amp;Kiosk mode</source>
        <translation>无人值守模式(&amp;K)</translation>
    </message>
    <message>
        <source>Full screen without menus; leaving needs the admin PIN when one is set</source>
        <translation>全屏显示、隐藏菜单；设置了管理员密码时，退出需要输入密码</translation>
    </message>
    <message>
        <source>Set admin &amp;PIN…</source>
        <translation>设置管理员密码(&amp;P)…</translation>
    </message>
    <message>
        <source>Set, change or clear the PIN that guards admin actions</source>
        <translation>设置、修改或清除保护管理操作的密码</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Camera</source>
        <translation>摄像头(&amp;C)</translation>
    </message>
    <message>
        <source>Remo&amp;ve camera</source>
        <translation>移除摄像头(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Recent sources</source>
        <translation>最近使用的视频源(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;People</source>
        <translation>人员(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Attendance</source>
        <translation>考勤(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Cannot use this video file: %1</source>
        <translation>无法使用此视频文件：%1</translation>
    </message>
    <message>
        <source>(only one camera)</source>
        <translation>（只有一个摄像头）</translation>
    </message>
    <message>
        <source>&amp;Stop camera</source>
        <translation>关闭摄像头(&amp;S)</translation>
    </message>
</context>
<context>
    <name>PeoplePage</name>
    <message>
        <source>Enrolled people</source>
        <translation>已录入人员</translation>
    </message>
    <message>
        <source>Search people…</source>
        <translation>搜索人员…</translation>
    </message>
    <message>
        <source>No one enrolled yet — press Enroll… (or People → Enroll person…) to add the first person.</source>
        <translation>还没有录入任何人员 — 点击“录入…”（或“人员 → 录入人员…”）添加第一位人员。</translation>
    </message>
    <message>
        <source>Enroll…</source>
        <translation>录入…</translation>
    </message>
    <message>
        <source>Enroll a new person from the camera or from photos</source>
        <translation>从摄像头或照片录入新人员</translation>
    </message>
    <message>
        <source>Add photos…</source>
        <translation>添加照片…</translation>
    </message>
    <message>
        <source>More photos of the selected person (better recognition)</source>
        <translation>为所选人员添加更多照片（识别更准确）</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>删除…</translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s)</source>
        <translation>
            <numerusform>%n 张照片</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2, first enrolled %3</source>
        <translation>%1：%2，首次录入于 %3</translation>
    </message>
    <message>
        <source>Remove person</source>
        <translation>删除人员</translation>
    </message>
    <message>
        <source>Remove %1 and all their enrolled photos?
Their attendance history (check-ins, sightings and snapshots) is deleted too.
This cannot be undone.</source>
        <translation>确定删除 %1 及其全部录入照片吗？
此人的考勤记录（签到、识别记录和抓拍照片）也会一并删除。
此操作无法撤销。</translation>
    </message>
    <message>
        <source>Check photos</source>
        <translation>检查照片</translation>
    </message>
    <message>
        <source>Every photo looks like its person&apos;s others, and no two people look alike</source>
        <translation>每张照片都与本人的其他照片相似，也没有两个人相似</translation>
    </message>
    <message numerus="yes">
        <source>Removed %1 (%n photo(s))</source>
        <translation>
            <numerusform>已删除 %1（%n 张照片）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PersonDialog</name>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Delete photo</source>
        <translation>删除照片</translation>
    </message>
    <message>
        <source>A bad photo (blurred, someone else) makes recognition worse</source>
        <translation>质量差的照片（模糊、拍到别人）会降低识别准确度</translation>
    </message>
    <message>
        <source>Attendance…</source>
        <translation>考勤记录…</translation>
    </message>
    <message>
        <source>Photos this person was enrolled from:</source>
        <translation>此人录入时使用的照片：</translation>
    </message>
    <message>
        <source>camera or unknown face</source>
        <translation>摄像头拍照或陌生人</translation>
    </message>
    <message>
        <source>⚠ unlike the other photos (%1)</source>
        <translation>⚠ 与其他照片不相似（%1）</translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) look like none of this person&apos;s other photos and may be somebody else&apos;s: delete such a photo, or the station may greet that somebody by this name.</source>
        <translation>
            <numerusform>有 %n 张照片与此人的其他照片都不相似，可能是别人的照片：请删除，否则签到点可能把那个人认作此人。</numerusform>
        </translation>
    </message>
    <message>
        <source>Renamed %1 to %2: photos and attendance follow.</source>
        <translation>已将 %1 重命名为 %2：照片和考勤记录随之更新。</translation>
    </message>
    <message>
        <source>Photo deleted.</source>
        <translation>照片已删除。</translation>
    </message>
</context>
<context>
    <name>PinPrompt</name>
    <message>
        <source>enroll a person</source>
        <translation>录入人员</translation>
    </message>
    <message>
        <source>remove a person or a record</source>
        <translation>删除人员或记录</translation>
    </message>
    <message>
        <source>change the settings</source>
        <translation>更改设置</translation>
    </message>
    <message>
        <source>export the attendance history</source>
        <translation>导出考勤记录</translation>
    </message>
    <message>
        <source>leave kiosk mode</source>
        <translation>退出无人值守模式</translation>
    </message>
    <message>
        <source>stop the camera in kiosk mode</source>
        <translation>在无人值守模式下关闭摄像头</translation>
    </message>
    <message>
        <source>export all face data</source>
        <translation>导出全部人脸数据</translation>
    </message>
    <message>
        <source>delete all face data</source>
        <translation>删除全部人脸数据</translation>
    </message>
    <message>
        <source>open the data folder</source>
        <translation>打开数据文件夹</translation>
    </message>
    <message>
        <source>read the problems log</source>
        <translation>查看问题日志</translation>
    </message>
    <message>
        <source>view the attendance history</source>
        <translation>查看考勤记录</translation>
    </message>
    <message>
        <source>the current PIN is wrong</source>
        <translation>当前密码错误</translation>
    </message>
    <message>
        <source>the PIN is wrong</source>
        <translation>密码错误</translation>
    </message>
    <message>
        <source>Administrator PIN</source>
        <translation>管理员密码</translation>
    </message>
    <message>
        <source>Enter the admin PIN to %1:</source>
        <translation>请输入管理员密码以%1：</translation>
    </message>
</context>
<context>
    <name>Plurals</name>
    <message numerus="yes">
        <source>%n face(s)</source>
        <translation>
            <numerusform>%n 张人脸</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProblemsLogDialog</name>
    <message>
        <source>Problems log</source>
        <translation>问题日志</translation>
    </message>
    <message>
        <source>%1 cannot be read: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Warnings and unexpected errors of this data folder, newest last (%1):</source>
        <translation>此数据文件夹的警告和意外错误，最新的在最后（%1）：</translation>
    </message>
    <message>
        <source>Nothing has gone wrong here: %1 holds no problems.</source>
        <translation>一切正常：%1 中没有记录任何问题。</translation>
    </message>
    <message>
        <source>Copy all</source>
        <translation>全部复制</translation>
    </message>
</context>
<context>
    <name>ServerWords</name>
    <message numerus="yes">
        <source>%n camera(s)</source>
        <translation>
            <numerusform>%n 个摄像头</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n new problem(s) logged</source>
        <translation>
            <numerusform>新记录了 %n 个问题</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>offline — %n check-in(s) waiting</source>
        <translation>
            <numerusform>离线 — %n 条签到待上传</numerusform>
        </translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message numerus="yes">
        <source>online — sending %n check-in(s)</source>
        <translation>
            <numerusform>在线 — 正在上传 %n 条签到</numerusform>
        </translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
</context>
<context>
    <name>SetPinDialog</name>
    <message>
        <source>Administrator PIN</source>
        <translation>管理员密码</translation>
    </message>
    <message>
        <source>Clear the PIN (no more protection)</source>
        <translation>清除密码（不再保护）</translation>
    </message>
    <message>
        <source>Current PIN:</source>
        <translation>当前密码：</translation>
    </message>
    <message>
        <source>New PIN:</source>
        <translation>新密码：</translation>
    </message>
    <message>
        <source>New PIN again:</source>
        <translation>再次输入新密码：</translation>
    </message>
    <message numerus="yes">
        <source>The admin PIN (%n or more digits) guards enrolling, removing, the settings, exports, deleting face data and leaving kiosk mode.</source>
        <translation>
            <numerusform>管理员密码（至少 %n 位数字）用于保护录入、删除、设置、导出、删除人脸数据和退出无人值守模式等操作。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Not applied: %1</source>
        <translation>未应用：%1</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>CUDA is not available: this onnxruntime has no NVIDIA GPU support, or no GPU is present</source>
        <translation>CUDA 不可用：当前的 onnxruntime 不支持 NVIDIA 显卡，或本机没有显卡</translation>
    </message>
    <message>
        <source>Automatic (CUDA when usable)</source>
        <translation>自动（可用时使用 CUDA）</translation>
    </message>
    <message>
        <source>NVIDIA GPU (CUDA)</source>
        <translation>NVIDIA 显卡（CUDA）</translation>
    </message>
    <message>
        <source>NVIDIA GPU (CUDA): not available here</source>
        <translation>NVIDIA 显卡（CUDA）：本机不可用</translation>
    </message>
    <message>
        <source>CUDA cannot run here: onnxruntime offers it, but its libraries (CUDA 13, cuDNN 9) or the GPU are missing, so the models run on the CPU</source>
        <translation>CUDA 无法在本机运行：onnxruntime 提供了它，但缺少其所需的库（CUDA 13、cuDNN 9）或显卡，模型因此在 CPU 上运行</translation>
    </message>
    <message>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <source>Long side of the image fed to the detector: larger finds smaller faces, slower</source>
        <translation>送入检测模型的图像长边：越大越能发现小的人脸，但速度更慢</translation>
    </message>
    <message>
        <source>Minimum detector score of a face</source>
        <translation>判定为人脸的最低检测分数</translation>
    </message>
    <message>
        <source>Overlap above which two boxes are the same face</source>
        <translation>两个框重叠超过此值时视为同一张人脸</translation>
    </message>
    <message>
        <source>Cosine similarity at or above which a face gets a name</source>
        <translation>余弦相似度达到此值时才显示姓名</translation>
    </message>
    <message>
        <source>no minimum</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Camera index (0, 1…), a video file path or a stream URL</source>
        <translation>摄像头编号（0、1…）、视频文件路径或视频流地址</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Play video files at their own frame rate</source>
        <translation>按视频文件自身的帧率播放</translation>
    </message>
    <message>
        <source>Loop video files</source>
        <translation>循环播放视频文件</translation>
    </message>
    <message>
        <source>Start the camera and the station view (kiosk mode) when facegui starts</source>
        <translation>启动 facegui 时打开摄像头并进入签到界面（无人值守模式）</translation>
    </message>
    <message>
        <source>Play a short sound when the station confirms a check-in</source>
        <translation>签到成功时播放一声简短的提示音</translation>
    </message>
    <message>
        <source>Laplacian variance of the aligned face; blurred faces score below ~50</source>
        <translation>对齐后人脸的拉普拉斯方差；模糊的人脸通常低于 50</translation>
    </message>
    <message>
        <source>A new photo of someone already enrolled must be at least this alike to one of their photos; below it the photo is taken for somebody else&apos;s</source>
        <translation>已录入人员的新照片须与其已有照片中至少一张达到此相似度；低于此值则视为别人的照片</translation>
    </message>
    <message>
        <source>A person is checked in once named in this many of the last frames</source>
        <translation>在最近若干帧中被认出达到此次数即签到</translation>
    </message>
    <message>
        <source> frames</source>
        <translation> 帧</translation>
    </message>
    <message>
        <source>How many of the latest frames the check-in vote looks at</source>
        <translation>签到判定参考的最近帧数</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>No second check-in of the same person within this time (a new day always allows one)</source>
        <translation>同一人在此时间内不会重复签到（新的一天总可以签到）</translation>
    </message>
    <message>
        <source>Keep a small snapshot of the face with each check-in and unknown face</source>
        <translation>每次签到和发现陌生人时保存一张人脸小图</translation>
    </message>
    <message>
        <source>Log unknown faces for review (snapshot, time; enroll them in one step)</source>
        <translation>记录陌生人以便查看（抓拍照片、时间；可一键录入）</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>forever</source>
        <translation>永久</translation>
    </message>
    <message>
        <source>Attendance records and snapshots older than this are deleted at start-up</source>
        <translation>启动时删除早于此期限的考勤记录和抓拍照片</translation>
    </message>
    <message>
        <source>How alike a face must be to get a name:</source>
        <translation>显示姓名所需的相似度：</translation>
    </message>
    <message>
        <source>Ignore faces narrower than:</source>
        <translation>忽略宽度小于此值的人脸：</translation>
    </message>
    <message>
        <source>Camera:</source>
        <translation>摄像头：</translation>
    </message>
    <message>
        <source>Cameras shown beside this one (Camera → Add camera…)</source>
        <translation>与此摄像头并排显示的摄像头（摄像头 → 添加摄像头…）</translation>
    </message>
    <message>
        <source>Also shown:</source>
        <translation>同时显示：</translation>
    </message>
    <message>
        <source>of the last</source>
        <translation>/ 最近</translation>
    </message>
    <message>
        <source>Check someone in once seen in:</source>
        <translation>签到所需识别次数：</translation>
    </message>
    <message>
        <source>Do not check the same person in again within:</source>
        <translation>同一人重复签到间隔：</translation>
    </message>
    <message>
        <source>Keep attendance records for:</source>
        <translation>考勤记录保留：</translation>
    </message>
    <message>
        <source>Language (applies when facegui starts again):</source>
        <translation>语言（重新启动 facegui 后生效）：</translation>
    </message>
    <message>
        <source>Refuse enrollment photos whose face is narrower than:</source>
        <translation>拒绝人脸宽度小于此值的录入照片：</translation>
    </message>
    <message>
        <source>Refuse blurred enrollment photos (minimum sharpness):</source>
        <translation>拒绝模糊的录入照片（最低清晰度）：</translation>
    </message>
    <message>
        <source>Refuse a new photo of someone less alike to their photos than:</source>
        <translation>拒绝与本人已有照片相似度低于此值的新照片：</translation>
    </message>
    <message>
        <source>Detector input size:</source>
        <translation>检测输入尺寸：</translation>
    </message>
    <message>
        <source>Detection confidence:</source>
        <translation>检测置信度：</translation>
    </message>
    <message>
        <source>Overlap of boxes that are the same face (NMS IoU):</source>
        <translation>同一人脸的框重叠阈值（NMS IoU）：</translation>
    </message>
    <message>
        <source>Run the models on (reloads them):</source>
        <translation>模型运行设备（将重新加载模型）：</translation>
    </message>
    <message>
        <source>Detector threads (reloads the models):</source>
        <translation>检测器的线程数（将重新加载模型）：</translation>
    </message>
    <message>
        <source>Recognition</source>
        <translation>识别</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Attendance</source>
        <translation>考勤</translation>
    </message>
    <message>
        <source>Enrollment</source>
        <translation>录入</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>界面</translation>
    </message>
    <message>
        <source>Advanced settings</source>
        <translation>高级设置</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>高级</translation>
    </message>
    <message>
        <source>Restore defaults</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <source>Every value on this page back to facegui&apos;s default (the camera stays)</source>
        <translation>将本页所有项恢复为 facegui 的默认值（摄像头设置不变）</translation>
    </message>
    <message>
        <source>%1 (not available here)</source>
        <translation>%1（本机不可用）</translation>
    </message>
    <message>
        <source>the camera source cannot be empty (use 0 for the first camera)</source>
        <translation>视频源不能为空（第一个摄像头请填 0）</translation>
    </message>
    <message>
        <source>Cannot use this video file: %1</source>
        <translation>无法使用此视频文件：%1</translation>
    </message>
</context>
<context>
    <name>SourceDialog</name>
    <message>
        <source>Camera source</source>
        <translation>视频源</translation>
    </message>
    <message>
        <source>Camera device</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Video file</source>
        <translation>视频文件</translation>
    </message>
    <message>
        <source>Stream URL</source>
        <translation>视频流地址</translation>
    </message>
    <message>
        <source>path/to/video.mp4</source>
        <translation>路径/视频.mp4</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>rtsp://camera.local/stream or http://…</source>
        <translation>rtsp://camera.local/stream 或 http://…</translation>
    </message>
    <message>
        <source>Enter a video file or a URL.</source>
        <translation>请输入视频文件或地址。</translation>
    </message>
    <message>
        <source>Cannot use this video file: %1</source>
        <translation>无法使用此视频文件：%1</translation>
    </message>
    <message>
        <source>A URL needs a scheme, e.g. rtsp:// or http://.</source>
        <translation>地址需要以协议开头，例如 rtsp:// 或 http://。</translation>
    </message>
</context>
<context>
    <name>SourceProblem</name>
    <message>
        <source>no source: enter a camera number, a video file or a stream URL</source>
        <translation>没有视频源：请输入摄像头编号、视频文件或视频流地址</translation>
    </message>
    <message>
        <source>%1: no such video file</source>
        <translation>%1：没有这个视频文件</translation>
    </message>
    <message>
        <source>%1: is a folder, not a video file</source>
        <translation>%1：是文件夹，不是视频文件</translation>
    </message>
    <message>
        <source>%1: is %2, not a video file or a camera</source>
        <translation>%1：是%2，不是视频文件或摄像头</translation>
    </message>
    <message>
        <source>%1: cannot be read (%2)</source>
        <translation>%1：无法读取（%2）</translation>
    </message>
    <message>
        <source>%1: no video frame could be read from it</source>
        <translation>%1：读不出任何视频画面</translation>
    </message>
    <message>
        <source>%1: cannot be opened (no such camera, or another program is using it)</source>
        <translation>%1：无法打开（没有这个摄像头，或它正被其他程序使用）</translation>
    </message>
    <message>
        <source>%1: cannot be opened (nothing answered at this address, or it sends no video)</source>
        <translation>%1：无法打开（该地址没有响应，或没有发送视频）</translation>
    </message>
    <message>
        <source>%1: cannot be opened (not a video facegui can read)</source>
        <translation>%1：无法打开（不是 facegui 能读取的视频）</translation>
    </message>
</context>
<context>
    <name>Sources</name>
    <message>
        <source>camera %1</source>
        <translation>摄像头 %1</translation>
    </message>
</context>
<context>
    <name>StationPage</name>
    <message>
        <source>Camera stopped — press F5 to start</source>
        <translation>摄像头已关闭 — 按 F5 打开</translation>
    </message>
    <message>
        <source>Look at the camera</source>
        <translation>请看向摄像头</translation>
    </message>
    <message>
        <source>The camera is not available — reconnecting…</source>
        <translation>摄像头暂时不可用 — 正在重新连接…</translation>
    </message>
    <message>
        <source>Check-ins cannot be recorded now — please tell the office</source>
        <translation>现在无法记录签到——请告知管理员</translation>
    </message>
    <message>
        <source>In this frame:</source>
        <translation>当前画面：</translation>
    </message>
    <message>
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <source>End of video — press F5 to play again</source>
        <translation>视频已播放完毕 — 按 F5 重新播放</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>stopped</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>switching</source>
        <translation>正在切换</translation>
    </message>
    <message>
        <source>opening</source>
        <translation>正在打开</translation>
    </message>
    <message>
        <source>streaming</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>retrying</source>
        <translation>正在重试</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>error</source>
        <translation>出错</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>管理</translation>
    </message>
    <message>
        <source>Leave kiosk mode (asks for the admin PIN when one is set)</source>
        <translation>退出无人值守模式（设置了管理员密码时需要输入）</translation>
    </message>
    <message>
        <source>Open the problems log</source>
        <translation>打开问题日志</translation>
    </message>
    <message>
        <source> (CUDA unavailable)</source>
        <translation>（CUDA 不可用）</translation>
    </message>
    <message>
        <source>Shared database: %1</source>
        <translation>共享数据库：%1</translation>
    </message>
    <message>
        <source>check-ins not recorded</source>
        <translation>签到未记录</translation>
    </message>
    <message>
        <source>The last check-ins could not be written: %1</source>
        <translation>最近的签到未能写入：%1</translation>
    </message>
</context>
<context>
    <name>TodayPage</name>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>First seen</source>
        <translation>首次识别</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>最近识别</translation>
    </message>
    <message>
        <source>History…</source>
        <translation>考勤记录…</translation>
    </message>
    <message>
        <source>Checked in: %1 at %2</source>
        <translation>%1 已于 %2 签到</translation>
    </message>
    <message numerus="yes">
        <source>%1: %2 of %n present</source>
        <translation>
            <numerusform>%1：%n 人中已签到 %2 人</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: no one enrolled yet — enroll people to see who is here</source>
        <translation>%1：还没有录入人员 — 录入人员后即可查看谁已签到</translation>
    </message>
</context>
<context>
    <name>UnknownFacesPage</name>
    <message>
        <source>Enroll as…</source>
        <translation>录入为…</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>忽略</translation>
    </message>
    <message>
        <source>Faces nobody matches are logged here for review.</source>
        <translation>无法匹配任何人的人脸会记录在这里，供您查看。</translation>
    </message>
    <message>
        <source>Logging of unknown faces is off: turn on “Log unknown faces” in Settings.</source>
        <translation>未开启陌生人记录：请在“设置”中打开“记录陌生人”。</translation>
    </message>
    <message>
        <source>%1
best match %2 · %3</source>
        <translation>%1
最高相似度 %2 · %3</translation>
    </message>
    <message numerus="yes">
        <source>Enroll these %n as one person…</source>
        <translation>
            <numerusform>将这 %n 张人脸录入为同一人…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Dismiss %n</source>
        <translation>
            <numerusform>忽略 %n 项</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>These %n faces are one person. Name (new, or someone enrolled):</source>
        <translation>
            <numerusform>这 %n 张人脸属于同一人。姓名（新姓名，或已录入的人员）：</numerusform>
        </translation>
    </message>
    <message>
        <source>Enroll as</source>
        <translation>录入为</translation>
    </message>
    <message numerus="yes">
        <source>Enrolled %n unknown face(s) as %1</source>
        <translation>
            <numerusform>已将 %n 张陌生人脸录入为 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Name of this person (new, or someone enrolled):</source>
        <translation>此人的姓名（新姓名，或已录入的人员）：</translation>
    </message>
    <message>
        <source>Enroll unknown face</source>
        <translation>录入陌生人</translation>
    </message>
    <message>
        <source>Dismiss unknown face</source>
        <translation>忽略陌生人</translation>
    </message>
</context>
<context>
    <name>VideoView</name>
    <message>
        <source>Camera stopped — press F5 to start</source>
        <translation>摄像头已关闭 — 按 F5 打开</translation>
    </message>
</context>
<context>
    <name>launch</name>
    <message>
        <source>Install the models with:</source>
        <translation>请用以下命令安装模型：</translation>
    </message>
    <message>
        <source>Running on CPU: CUDA is offered but its libraries are not usable</source>
        <translation>正在使用 CPU 运行：检测到 CUDA，但其运行库不可用</translation>
    </message>
</context>
</TS>
