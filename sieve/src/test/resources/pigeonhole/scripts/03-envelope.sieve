require ["envelope", "fileinto"];
if envelope :domain :is "from" "example.org" { fileinto "env-from-domain"; }
if envelope :localpart :is "to" "USER" { fileinto "env-to-local"; }
if envelope :all :matches "from" "*@*" { fileinto "env-all"; }
