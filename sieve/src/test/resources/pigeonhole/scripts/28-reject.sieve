require ["reject", "fileinto"];
if header :contains "subject" "MONEY" { reject "No spam, thanks."; }
if header :contains "subject" "議事録" { fileinto "Meetings"; reject "遅すぎます"; }
if exists "list-id" { reject "first"; reject "second"; }
if address :domain "from" "example.com" { reject "big"; discard; }
if header :contains "subject" "件名" { keep; }
if header :contains "subject" "テスト" { reject "after keep"; }
