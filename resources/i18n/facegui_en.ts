<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>DataRights</name>
    <message numerus="yes">
        <source>Deleted all face data (%n item(s) in %1)</source>
        <translation>
            <numerusform>Deleted all face data (%n item in %1)</numerusform>
            <numerusform>Deleted all face data (%n items in %1)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EnrollDialog</name>
    <message numerus="yes">
        <source> (%n faces, #%1 chosen)</source>
        <translation>
            <numerusform> (%n faces, #%1 chosen)</numerusform>
            <numerusform> (%n faces, #%1 chosen)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n faces found in %1; face #%2 (the largest confident one) will be enrolled. Click another face above to choose it.</source>
        <translation>
            <numerusform>%n faces found in %1; face #%2 (the largest confident one) will be enrolled. Click another face above to choose it.</numerusform>
            <numerusform>%n faces found in %1; face #%2 (the largest confident one) will be enrolled. Click another face above to choose it.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n faces found in %1; face #%2 (your choice) will be enrolled. Click another face above to choose it.</source>
        <translation>
            <numerusform>%n faces found in %1; face #%2 (your choice) will be enrolled. Click another face above to choose it.</numerusform>
            <numerusform>%n faces found in %1; face #%2 (your choice) will be enrolled. Click another face above to choose it.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Enrolled %n photo(s) of %1.</source>
        <translation>
            <numerusform>Enrolled %n photo of %1.</numerusform>
            <numerusform>Enrolled %n photos of %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message numerus="yes">
        <source>%n day record(s), %1 present.</source>
        <translation>
            <numerusform>%n day record, %1 present.</numerusform>
            <numerusform>%n day records, %1 present.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n row(s) to %1.</source>
        <translation>
            <numerusform>Exported %n row to %1.</numerusform>
            <numerusform>Exported %n rows to %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Identifier</name>
    <message numerus="yes">
        <source>Identification results — %n item(s)</source>
        <translation>
            <numerusform>Identification results — %n item</numerusform>
            <numerusform>Identification results — %n items</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Identified %n face(s) in %1</source>
        <translation>
            <numerusform>Identified %n face in %1</numerusform>
            <numerusform>Identified %n faces in %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n image</numerusform>
            <numerusform>%n images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; %n file(s) could not be read</source>
        <translation>
            <numerusform>; %n file could not be read</numerusform>
            <numerusform>; %n files could not be read</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>IdentifyResultsDialog</name>
    <message numerus="yes">
        <source>%n face(s), left to right</source>
        <translation>
            <numerusform>%n face, left to right</numerusform>
            <numerusform>%n faces, left to right</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Unknown faces (%n)</source>
        <translation>
            <numerusform>Unknown faces (%n)</numerusform>
            <numerusform>Unknown faces (%n)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PeoplePage</name>
    <message numerus="yes">
        <source>%n photo(s)</source>
        <translation>
            <numerusform>%n photo</numerusform>
            <numerusform>%n photos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Removed %1 (%n photo(s))</source>
        <translation>
            <numerusform>Removed %1 (%n photo)</numerusform>
            <numerusform>Removed %1 (%n photos)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PersonDialog</name>
    <message numerus="yes">
        <source>%n photo(s) look like none of this person&apos;s other photos and may be somebody else&apos;s: delete such a photo, or the station may greet that somebody by this name.</source>
        <translation>
            <numerusform>%n photo looks like none of this person&apos;s other photos and may be somebody else&apos;s: delete it, or the station may greet that somebody by this name.</numerusform>
            <numerusform>%n photos look like none of this person&apos;s other photos and may be somebody else&apos;s: delete such a photo, or the station may greet that somebody by this name.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Plurals</name>
    <message numerus="yes">
        <source>%n face(s)</source>
        <translation>
            <numerusform>%n face</numerusform>
            <numerusform>%n faces</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ServerWords</name>
    <message numerus="yes">
        <source>%n camera(s)</source>
        <translation>
            <numerusform>%n camera</numerusform>
            <numerusform>%n cameras</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n new problem(s) logged</source>
        <translation>
            <numerusform>%n new problem logged</numerusform>
            <numerusform>%n new problems logged</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>offline — %n check-in(s) waiting</source>
        <translation>
            <numerusform>offline — %n check-in waiting</numerusform>
            <numerusform>offline — %n check-ins waiting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>online — sending %n check-in(s)</source>
        <translation>
            <numerusform>online — sending %n check-in</numerusform>
            <numerusform>online — sending %n check-ins</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SetPinDialog</name>
    <message numerus="yes">
        <source>The admin PIN (%n or more digits) guards enrolling, removing, the settings, exports, deleting face data and leaving kiosk mode.</source>
        <translation>
            <numerusform>The admin PIN (%n or more digits) guards enrolling, removing, the settings, exports, deleting face data and leaving kiosk mode.</numerusform>
            <numerusform>The admin PIN (%n or more digits) guards enrolling, removing, the settings, exports, deleting face data and leaving kiosk mode.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TodayPage</name>
    <message numerus="yes">
        <source>%1: %2 of %n present</source>
        <translation>
            <numerusform>%1: %2 of %n present</numerusform>
            <numerusform>%1: %2 of %n present</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>UnknownFacesPage</name>
    <message numerus="yes">
        <source>Enroll these %n as one person…</source>
        <translation>
            <numerusform>Enroll these %n as one person…</numerusform>
            <numerusform>Enroll these %n as one person…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Dismiss %n</source>
        <translation>
            <numerusform>Dismiss %n</numerusform>
            <numerusform>Dismiss %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>These %n faces are one person. Name (new, or someone enrolled):</source>
        <translation>
            <numerusform>These %n faces are one person. Name (new, or someone enrolled):</numerusform>
            <numerusform>These %n faces are one person. Name (new, or someone enrolled):</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Enrolled %n unknown face(s) as %1</source>
        <translation>
            <numerusform>Enrolled %n unknown face as %1</numerusform>
            <numerusform>Enrolled %n unknown faces as %1</numerusform>
        </translation>
    </message>
</context>
</TS>
