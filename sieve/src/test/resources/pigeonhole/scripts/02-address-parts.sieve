require "fileinto";
if address :domain :is "from" "desert.example" { fileinto "domain-is"; }
if address :localpart :is "from" "coyote" { fileinto "local-is"; }
if address :all :contains ["to", "cc"] "c.example" { fileinto "all-contains"; }
if address :domain :matches "to" "*.example" { fileinto "domain-matches"; }
if address :is "to" "z@y.example" { fileinto "group-member"; }
if address :localpart :comparator "i;octet" :is "from" "coyote" { fileinto "octet-local"; }
