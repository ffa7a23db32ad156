if header :contains "subject" "MONEY" { discard; }
if header :contains "subject" "MONEY" { keep; }
