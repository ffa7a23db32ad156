require "fileinto";
if header :is "x-absent" "" { fileinto "absent-empty"; }
if header :contains "subject" "" { fileinto "contains-empty"; }
if address :is "from" "" { fileinto "address-empty"; }
if header :is "subject" ["nothing", "else"] { fileinto "none"; }
