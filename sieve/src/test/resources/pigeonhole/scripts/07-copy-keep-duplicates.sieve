require ["fileinto", "copy"];
fileinto :copy "Archive";
fileinto "Archive";
fileinto "archive";
keep;
fileinto "INBOX";
fileinto :copy "Second";
