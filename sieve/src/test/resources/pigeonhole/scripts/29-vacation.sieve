require ["vacation", "vacation-seconds", "fileinto"];
if header :contains "subject" "MONEY" { vacation :days 3 :subject "Away" "I am away until Monday."; }
elsif header :contains "subject" "議事録" { vacation :seconds 60 :from "Taro <user@example.org>" :handle "meetings" :addresses ["user@example.org"] "会議は来週です"; }
elsif exists "list-id" { vacation "list"; vacation "twice"; }
elsif size :over 1K { fileinto "big"; vacation :days 0 "Zero days"; }
else { vacation :mime :subject "件名" "Content-Type: text/plain; charset=utf-8"; }
