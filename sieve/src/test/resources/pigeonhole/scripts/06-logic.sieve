require "fileinto";
if allof (exists "from", anyof (header :is "precedence" "bulk", header :contains "subject" "MONEY"), not size :over 100K) {
  fileinto "logic";
}
if anyof (false, not true) { fileinto "never"; }
if allof (true, true, true) { fileinto "all-true"; }
if not not true { fileinto "not-not"; }
