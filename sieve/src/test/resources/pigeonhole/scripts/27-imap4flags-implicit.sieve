require ["imap4flags"];
if address :domain "from" "example.jp" { setflag "\\Flagged"; }
if exists "list-id" { addflag "\\Seen"; removeflag "nothing"; }
