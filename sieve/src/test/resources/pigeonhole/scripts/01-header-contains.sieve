require "fileinto";
if header :contains "subject" "$$$" { fileinto "Spam"; }
elsif header :contains ["from", "sender"] "lists.example" { fileinto "Lists"; }
elsif header :contains "subject" "議事録" { fileinto "Meetings"; }
else { keep; }
