require ["fileinto", "encoded-character"];
if header :contains "subject" "${unicode:8B70 4E8B 9332}" { fileinto "${hex:e8 ad b0}事録"; }
if header :contains "subject" "$${hex:24 24}" { fileinto "dollars"; }
if header :contains "subject" text:
${HEX: 4d 61 6B 65}
.
{ fileinto "never-crlf"; }
if header :contains "subject" "${hex:4${hex:30}}" { fileinto "nested"; }
if header :is "subject" "${unicode:4f1a 8B70}${hex:E3 81}${hex:AE}${unicode:8B70 4E8B 9332}" { fileinto "split-octets"; }
