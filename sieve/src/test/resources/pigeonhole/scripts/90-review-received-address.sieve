require ["date","fileinto","relational","index","variables","comparator-i;ascii-numeric"];
if date :is "received" "year" "2026" { fileinto "R"; }
if date :index 2 :is "received" "hour" "03" { fileinto "R2"; }
if date :zone "+0000" :is "date" "hour" "15" { fileinto "EST"; }
if date :originalzone :is "date" "zone" "-0500" { fileinto "ESTZ"; }
if date :is "x-date2" "hour" "10" { fileinto "JSTpresent"; }
if date :originalzone :is "x-date2" "hour" "10" { fileinto "JST"; }
if address :count "eq" :comparator "i;ascii-numeric" "to" "3" { fileinto "to3"; }
if address :count "eq" :comparator "i;ascii-numeric" "to" "2" { fileinto "to2"; }
if address :count "eq" :comparator "i;ascii-numeric" "from" "1" { fileinto "from1"; }
if address :count "eq" :comparator "i;ascii-numeric" "from" "2" { fileinto "from2"; }
if address :count "eq" :comparator "i;ascii-numeric" "from" "3" { fileinto "from3"; }
if address :is :localpart "from" "a b" { fileinto "quotedlocal"; }
if address :is :localpart "from" "\"a b\"" { fileinto "quotedlocal2"; }
if address :is :all "from" "bar" { fileinto "bar"; }
if address :is :domain "to" "example.net" { fileinto "net"; }
if address :matches :all "cc" "*" { set "cc" "${1}"; fileinto "cc-${cc}"; }
if header :count "eq" :comparator "i;ascii-numeric" "received" "2" { fileinto "recv2"; }
