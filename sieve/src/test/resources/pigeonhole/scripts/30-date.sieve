require ["date", "relational", "fileinto"];
if date :originalzone :is "date" "zone" "+0900" { fileinto "jst"; }
if date :zone "+0000" :is "date" "hour" "01" { fileinto "utc-hour-01"; }
if date :is "date" "date" "2026-12-07" { fileinto "local-date"; }
if date :originalzone :value "ge" "date" "date" "2026-12-01" { fileinto "december"; }
if date :zone "-0500" :matches "date" "std11" "Sun, 06 Dec 2026 *" { fileinto "std11-est"; }
if date :originalzone :is "date" "weekday" "1" { fileinto "monday"; }
if date :originalzone :is "date" "julian" "61381" { fileinto "julian"; }
if date :zone "+0530" :is "date" "iso8601" "2026-12-07T06:30:05+05:30" { fileinto "iso-ist"; }
if date :zone "+0000" :is "date" "iso8601" "2026-12-07T01:00:05Z" { fileinto "iso-utc"; }
if date :originalzone :matches "date" "time" "10:00:*" { fileinto "time"; }
if date :is "date" "century" "21" { fileinto "never"; }
if currentdate :value "ge" "year" "2020" { fileinto "now"; }
if currentdate :zone "+0900" :value "lt" "date" "2100-01-01" { fileinto "before-2100"; }
if not date :is "x-no-date" "year" "2026" { fileinto "no-field"; }
if date :originalzone :is "date" "zone" "-0130" { fileinto "second-date"; }
