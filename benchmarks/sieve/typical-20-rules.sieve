# A typical person's filters: 20 rules of the kinds webmail filter builders write, none of which matches
# smtp-source's messages, so every rule is tested for every message (the worst case), then the implicit keep.
require ["fileinto", "imap4flags", "envelope", "mailbox", "regex", "relational", "comparator-i;ascii-numeric"];

if header :contains "list-id" "<announce.uni.example>" { fileinto :create "Lists/announce"; stop; }
if header :contains "list-id" "<staff.uni.example>" { fileinto :create "Lists/staff"; stop; }
if address :is :domain "from" "moodle.uni.example" { fileinto :create "Moodle"; stop; }
if address :is "from" ["noreply@library.uni.example", "library@uni.example"] { fileinto :create "Library"; stop; }
if header :contains "subject" ["[seminar]", "セミナー"] { fileinto :create "Seminars"; stop; }
if header :contains "subject" ["invoice", "請求書"] { addflag "$Invoice"; fileinto :create "Accounts"; stop; }
if envelope :domain :is "from" "conference.example.org" { fileinto :create "Conferences"; stop; }
if header :matches "subject" "*[jobs]*" { fileinto :create "Jobs"; stop; }
if address :localpart :is "from" ["mailer-daemon", "postmaster"] { fileinto :create "Bounces"; stop; }
if header :contains "x-spam-flag" "YES" { fileinto :create "Junk"; stop; }
if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "8" { fileinto :create "Junk"; stop; }
if header :regex "subject" "^(re|fwd?): *\\[ticket #[0-9]+\\]" { fileinto :create "Tickets"; stop; }
if address :is "to" "lab-members@uni.example" { fileinto :create "Lab"; stop; }
if header :contains "from" "github.com" { fileinto :create "GitHub"; stop; }
if header :contains "subject" ["newsletter", "メールマガジン"] { fileinto :create "Newsletters"; stop; }
if allof (address :domain :is "from" "partner.example.com", header :contains "subject" "project") {
    fileinto :create "Projects/partner"; stop;
}
if size :over 20M { addflag "\\Flagged"; }
if header :contains "importance" "high" { addflag "\\Flagged"; }
if exists "list-unsubscribe" { fileinto :create "Bulk"; stop; }
if address :is "from" "boss@uni.example" { addflag "\\Flagged"; }
