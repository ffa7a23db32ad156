require ["body", "fileinto"];
if body :text :contains "plain part" { fileinto "text-plain"; }
if body :text :contains "<b>" { fileinto "text-tag"; }
if body :text :contains "Hello HTML" { fileinto "text-html"; }
if body :text :contains "会議" { fileinto "text-japanese"; }
if body :text :contains "binary data" { fileinto "text-binary"; }
if body :text :contains "prologue" { fileinto "text-prologue"; }
if body :content "text" :contains "<b>" { fileinto "content-tag"; }
if body :content "multipart" :contains "prologue" { fileinto "multipart-prologue"; }
if body :content "multipart" :contains "epilogue" { fileinto "multipart-epilogue"; }
if body :content "multipart" :contains "plain part" { fileinto "multipart-nested"; }
if body :content "message/rfc822" :contains "inner" { fileinto "rfc822-header"; }
if body :content "message/rfc822" :contains "inner body" { fileinto "rfc822-body"; }
if body :content "application" :contains "binary data" { fileinto "application"; }
if body :content "" :contains "binary data" { fileinto "any-type"; }
if body :content "text/" :contains "plain" { fileinto "bad-type"; }
if body :raw :contains "YmluYXJ5" { fileinto "raw-base64"; }
if body :raw :contains "binary data" { fileinto "raw-decoded"; }
if body :content "text/plain" :contains "会議 plain" { fileinto "plain-japanese"; }
if body :text :contains "inner body" { fileinto "text-inner"; }
if body :content "text/html" :matches "<html>*" { fileinto "html-matches"; }
if body :raw :matches "This is the prologue.*" { fileinto "raw-matches"; }
if body :content "text" :is "会議 plain part" { fileinto "exact-part"; }
if body :contains "Buy now" { fileinto "plain-default"; }
if body :raw :is "" { fileinto "raw-empty"; }
if body :content ["audio", "multipart/mixed"] :is "The epilogue.\r\n" { fileinto "epilogue-exact"; }
if body :content "multipart" :is "This is the prologue." { fileinto "prologue-exact"; }
