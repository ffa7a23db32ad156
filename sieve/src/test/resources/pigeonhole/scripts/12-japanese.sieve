require "fileinto";
if header :contains "subject" "議事録" { fileinto "議事録"; }
if address :is "from" "yamada@example.jp" { fileinto "Yamada"; }
if header :contains "from" "山田" { fileinto "by-name"; }
if header :is "subject" "会議の議事録" { fileinto "exact"; }
if header :contains "subject" "STRASSE" { fileinto "no-sharp-s"; }
if header :contains "subject" "straße" { fileinto "sharp-s"; }
