/**
 * The webmail site as a whole: {@link dev.hato.web.site.WebSite} assembles the features' routes, pages, security
 * and sessions into the handler the gateway serves on its HTTPS port; {@link dev.hato.web.site.HttpsRedirect} sends
 * webmail requests on the plain HTTP port there.
 */
@NullMarked
package dev.hato.web.site;

import org.jspecify.annotations.NullMarked;
