require ["index", "fileinto"];
if header :index 2 :contains "date" "Tue" { fileinto "h2"; }
if header :index 1 :last :contains "date" "Tue" { fileinto "h1last"; }
if header :index 3 :contains "date" "" { fileinto "h3"; }
if address :index 1 :is "to" "x@y.example" { fileinto "first-to"; }
if address :index 2 :all :contains "cc" "c.example" { fileinto "second-cc"; }
if address :index 1 :last :all :contains "cc" "b.example" { fileinto "last-cc"; }
if header :index 1 :contains "subject" "MONEY" { fileinto "money"; }
