/**
 * Single sign-on with bearer tokens: JWT access tokens (RFC 7519) signed by a configured issuer key, presented with
 * SASL OAUTHBEARER (RFC 7628) or Google's XOAUTH2. The token's auth ID claim names the account.
 */
@NullMarked
package dev.hato.auth.token;

import org.jspecify.annotations.NullMarked;
