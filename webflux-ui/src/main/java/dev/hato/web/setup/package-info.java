/**
 * Client set-up ("how to configure mail software"): the {@code /setup} page, Thunderbird autoconfig, Outlook
 * autodiscover and Apple profiles, all generated from {@link dev.hato.web.setup.ClientSettings}.
 */
@NullMarked
package dev.hato.web.setup;

import org.jspecify.annotations.NullMarked;
