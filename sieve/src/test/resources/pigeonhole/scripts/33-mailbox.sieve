require ["mailbox", "fileinto", "imap4flags"];
if mailboxexists "INBOX" { fileinto :create "Created"; }
if mailboxexists ["inbox", "Nope"] { fileinto "both"; }
if mailboxexists "inbox" { fileinto :create :flags "\\Seen" "lower"; }
if header :contains "subject" "MONEY" { fileinto "Plain"; fileinto :create "Plain"; }
