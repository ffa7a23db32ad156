require "copy";
redirect :copy "archive@example.org";
redirect "other@example.net";
redirect "ARCHIVE@example.org";
