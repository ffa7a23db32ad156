package dev.hato.app;

import dev.hato.message.MessageLimits;
import dev.hato.inbound.DmarcModes;
import dev.hato.inbound.SpamVerdict;
import dev.hato.smtp.session.SmtpSettings;
import dev.hato.web.setup.MtaStsPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every setting of Hato, bound from {@code hato.*} properties (a properties file, {@code HATO_*} environment
 * variables, or command-line {@code --hato.x=y}); documented in docs/configuration.md. Validated on binding; a
 * {@code hato.*} key of a properties file or the command line that names no setting stops start-up
 * ({@link StrictSettings}).
 */
@ConfigurationProperties("hato")
public record HatoProperties(
        @DefaultValue("localhost") String hostName,
        @DefaultValue("hato-data") Path dataDir,
        @DefaultValue("127.0.0.1") String bindAddress,
        @DefaultValue("127.0.0.1") String managementAddress,
        @DefaultValue("100") int maxConnectionsPerAddress,
        @DefaultValue("10000") int maxConnections,
        @DefaultValue("3m") Duration loginDeadline,
        @DefaultValue Ports ports,
        @DefaultValue Tls tls,
        @DefaultValue Store store,
        @DefaultValue Smtp smtp,
        @DefaultValue Pop3 pop3,
        @DefaultValue Imap imap,
        @DefaultValue ManageSieve managesieve,
        @DefaultValue Message message,
        @DefaultValue Auth auth,
        @DefaultValue Dkim dkim,
        @DefaultValue Inbound inbound,
        @DefaultValue Outbound outbound,
        @DefaultValue Metrics metrics,
        @DefaultValue MailLog mailLog,
        @DefaultValue Webmail webmail,
        @DefaultValue HttpListeners http,
        @DefaultValue MtaSts mtaSts,
        @DefaultValue Migration migration) {

    public HatoProperties {
        if (maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("hato.max-connections-per-address must be at least 1");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("hato.max-connections must be at least 1");
        }
        if (loginDeadline.isNegative() || loginDeadline.isZero() || loginDeadline.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("hato.login-deadline must be positive and at most 1h");
        }
        if (hostName.isBlank() || hostName.contains(" ")) {
            throw new IllegalArgumentException("hato.host-name must be a host name, got '" + hostName + "'");
        }
        mtaSts.policy(hostName); // checks the MX names and the max age at start-up
    }

    /**
     * Unprivileged defaults for a first run; production uses 25, 465, 587, 110, 995, 143, 993 and 443 (ManageSieve
     * keeps 4190, its registered port, which is unprivileged).
     * {@code management}: the operators' listener (status details, actuator) on {@code hato.management-address};
     * it must differ from {@code http}, or the details would be served to anyone (application.properties hands both
     * to Spring Boot's {@code management.server.*}).
     */
    public record Ports(@DefaultValue("2525") int smtp, @DefaultValue("4465") int submissions,
                        @DefaultValue("5587") int submission, @DefaultValue("1110") int pop3,
                        @DefaultValue("1995") int pop3s, @DefaultValue("1143") int imap,
                        @DefaultValue("1993") int imaps, @DefaultValue("8080") int http,
                        @DefaultValue("8081") int management, @DefaultValue("8443") int https,
                        @DefaultValue("4190") int managesieve) {
        public Ports {
            for (int port : new int[] {smtp, submissions, submission, pop3, pop3s, imap, imaps, http, management,
                https, managesieve}) {
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("port out of range: " + port);
                }
            }
            if (management != 0 && management == http) {
                throw new IllegalArgumentException("hato.ports.management must differ from hato.ports.http");
            }
            if (https != 0 && (https == http || https == management)) {
                throw new IllegalArgumentException(
                        "hato.ports.https must differ from hato.ports.http and hato.ports.management");
            }
        }
    }

    /**
     * Webmail (docs/webmail.md): a web session ends after {@code idleTimeout} without a request, or at logout;
     * at most {@code maxSessions} people are logged in at once on this node (sessions are kept in memory).
     */
    public record Webmail(@DefaultValue("30m") Duration idleTimeout, @DefaultValue("100000") int maxSessions) {
        public Webmail {
            if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("hato.webmail.idle-timeout must be positive and at most 1d");
            }
            if (maxSessions < 1) {
                throw new IllegalArgumentException("hato.webmail.max-sessions must be at least 1");
            }
        }
    }

    /**
     * The HTTP, HTTPS and management listeners: {@code idleTimeout} closes a connection that has sent no complete
     * request header for that long, from connecting or since its last response (a keep-alive connection nobody uses,
     * and a client that trickles a header byte by byte, which otherwise kept the connection for ever).
     */
    public record HttpListeners(@DefaultValue("60s") Duration idleTimeout) {
        public HttpListeners {
            if (idleTimeout.isNegative() || idleTimeout.isZero() || idleTimeout.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("hato.http.idle-timeout must be positive and at most 1h");
            }
        }
    }

    /**
     * PEM certificate chain and private key; both unset means a self-signed certificate in the data directory, whose
     * key type is {@code selfSignedKeyType} ("rsa" or "ec"), or when unset: the stored one's, EC for a new one.
     * {@code certificates}: further certificates, each served to clients asking for one of its DNS names (SNI).
     * Every configured file is checked for changes every {@code watchInterval} (zero: only on {@code hato tls
     * reload}).
     */
    public record Tls(@Nullable Path certificate, @Nullable Path privateKey, @Nullable String selfSignedKeyType,
                      @DefaultValue List<Certificate> certificates, @DefaultValue("10s") Duration watchInterval) {
        public Tls {
            certificates = certificates == null ? List.of() : List.copyOf(certificates);
            if (watchInterval.isNegative()) {
                throw new IllegalArgumentException("hato.tls.watch-interval must not be negative");
            }
            if ((certificate == null) != (privateKey == null)) {
                throw new IllegalArgumentException("set both hato.tls.certificate and hato.tls.private-key, or neither");
            }
            if (selfSignedKeyType != null && !selfSignedKeyType.equalsIgnoreCase("rsa")
                    && !selfSignedKeyType.equalsIgnoreCase("ec")) {
                throw new IllegalArgumentException("hato.tls.self-signed-key-type must be rsa or ec");
            }
        }

        /** One certificate chosen by name: {@code hato.tls.certificates[N].certificate} and {@code .private-key}. */
        public record Certificate(@Nullable Path certificate, @Nullable Path privateKey) {
            public Certificate {
                if (certificate == null || privateKey == null) {
                    throw new IllegalArgumentException("set both certificate and private-key of each"
                            + " hato.tls.certificates[N]");
                }
            }
        }
    }

    /**
     * The mail log (docs/operations.md): one line per message event on the logger {@code hato.mail}, and, when
     * {@code enabled}, one JSON object per line in {@code file} ({@code <data-dir>/log/mail.log} when unset), rotated
     * when it would pass {@code maxFileSize}, keeping {@code maxFiles} old files.
     */
    public record MailLog(@DefaultValue("true") boolean enabled, @Nullable Path file,
                          @DefaultValue("10MB") DataSize maxFileSize, @DefaultValue("10") int maxFiles) {
        public MailLog {
            if (maxFileSize.toBytes() < 1024) {
                throw new IllegalArgumentException("hato.mail-log.max-file-size must be at least 1KB");
            }
            if (maxFiles < 0 || maxFiles > 1000) {
                throw new IllegalArgumentException("hato.mail-log.max-files must be between 0 and 1000");
            }
        }
    }

    /** The JSON mail log file: {@code hato.mail-log.file}, or {@code <data-dir>/log/mail.log}. */
    public Path mailLogFile() {
        return mailLog.file() != null ? mailLog.file() : dataDir.resolve("log").resolve("mail.log");
    }

    /**
     * The MTA-STS policy (RFC 8461) served at {@code /.well-known/mta-sts.txt} on the HTTPS port when
     * {@code enabled}: {@code mode}, the MX host names ({@code mx}; none: the host name) and {@code maxAge}.
     */
    public record MtaSts(@DefaultValue("false") boolean enabled,
                         @DefaultValue("testing") MtaStsPolicy.Mode mode,
                         @DefaultValue List<String> mx, @DefaultValue("7d") Duration maxAge) {
        public MtaSts {
            mx = mx == null ? List.of() : List.copyOf(mx);
        }

        /** The policy to serve, or null when none is. */
        @Nullable MtaStsPolicy policy(String hostName) {
            return enabled ? new MtaStsPolicy(mode, mx.isEmpty() ? List.of(hostName) : mx, maxAge) : null;
        }
    }

    /** Without {@code url} Hato runs an embedded PostgreSQL in {@code <data-dir>/postgres}. */
    public record Store(@Nullable String url, @Nullable String username, @Nullable String password,
                        @DefaultValue("0") int embeddedPort, @DefaultValue("10") int poolSize) { }

    /**
     * {@code postmaster}: where mail to the bare "postmaster" goes when the host name is not a local domain.
     * {@code subaddressSeparator}: {@code user+tag@domain} goes to {@code user@domain}; empty switches it off.
     * {@code maxSessionTime}: how long a connection to the MTA port may last in all (the submission ports have
     * {@code hato.login-deadline} instead).
     */
    public record Smtp(@DefaultValue("50MB") DataSize maxMessageSize, @DefaultValue("100") int maxRecipients,
                       @DefaultValue("5m") Duration idleTimeout, @DefaultValue("10m") Duration dataTimeout,
                       @Nullable String postmaster,
                       @DefaultValue("normalize") SmtpSettings.BareLineEndings bareLineEndings,
                       @DefaultValue("4096") int maxLineLength, @DefaultValue("20") int maxCommandsBeforeAuth,
                       @DefaultValue("3") int maxAuthFailures, @DefaultValue("100") int maxHops,
                       @DefaultValue("+") String subaddressSeparator,
                       @DefaultValue("30m") Duration maxSessionTime,
                       @DefaultValue UnknownRecipients unknownRecipients,
                       @DefaultValue SendLimits sendLimits) {
        public Smtp {
            if (maxSessionTime.isNegative() || maxSessionTime.isZero()) {
                throw new IllegalArgumentException("hato.smtp.max-session-time must be positive");
            }
            subaddressSeparator = subaddressSeparator == null ? "" : subaddressSeparator;
            if (subaddressSeparator.length() > 1 || subaddressSeparator.equals("@")) {
                throw new IllegalArgumentException("hato.smtp.subaddress-separator must be one character or empty");
            }
        }
    }

    /**
     * Limits on RCPTs to unknown users (directory harvesting; dev.hato.smtp.session.UnknownRecipients checks them):
     * {@code perConnection} are answered 550, the next gets 421 and the connection ends; {@code perClient} within
     * {@code window} from one client address (IPv6: its /64) over all its connections, likewise; the first
     * {@code free} of a connection are answered at once, each later one {@code delay} longer, up to
     * {@code maxDelay}.
     */
    public record UnknownRecipients(@DefaultValue("20") int perConnection, @DefaultValue("100") int perClient,
                                    @DefaultValue("1h") Duration window, @DefaultValue("3") int free,
                                    @DefaultValue("1s") Duration delay, @DefaultValue("10s") Duration maxDelay,
                                    @DefaultValue("100000") int maxTracked) { }

    /**
     * What logged-in senders may send (dev.hato.smtp.session.SendLimits checks it): messages and recipients per
     * account, and per client address over all its accounts, within {@code window}; 0 for no limit.
     */
    public record SendLimits(@DefaultValue("200") int accountMessages, @DefaultValue("1000") int accountRecipients,
                             @DefaultValue("1000") int clientMessages, @DefaultValue("5000") int clientRecipients,
                             @DefaultValue("1h") Duration window, @DefaultValue("100000") int maxTracked) { }

    /**
     * The MIME shape every message must have to be stored, received by SMTP (DATA and BDAT, every listener) or IMAP
     * APPEND; dev.hato.message.MessageLimits says why the defaults are what they are.
     */
    public record Message(@DefaultValue("10000") int maxMimeParts, @DefaultValue("100") int maxMimeDepth,
                          @DefaultValue("1000") int maxHeaderFields, @DefaultValue("256KB") DataSize maxHeaderSize,
                          @DefaultValue("998") int maxHeaderLineLength) {
        public Message {
            if (maxHeaderSize.toBytes() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("hato.message.max-header-size must be below 2 GB");
            }
            limits(maxMimeParts, maxMimeDepth, maxHeaderFields, maxHeaderSize, maxHeaderLineLength);
        }

        /** The limits as the protocols take them (validated there). */
        public MessageLimits limits() {
            return limits(maxMimeParts, maxMimeDepth, maxHeaderFields, maxHeaderSize, maxHeaderLineLength);
        }

        private static MessageLimits limits(int parts, int depth, int fields, DataSize size, int line) {
            try {
                return new MessageLimits(parts, depth, fields, (int) size.toBytes(), line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("hato.message: " + e.getMessage(), e);
            }
        }
    }

    public record Pop3(@DefaultValue("10m") Duration idleTimeout) { }

    /**
     * The migrations the server runs by itself (issue 17, docs/migration.md): every {@code pollInterval} it looks
     * for people whose next pass is due, copies up to {@code parallel} of them at once, each connection reading at
     * most {@code maxRate} per second from the old server (0: no limit), and makes the next pass of each
     * {@code passInterval} after the last.
     */
    public record Migration(@DefaultValue("10s") Duration pollInterval, @DefaultValue("15m") Duration passInterval,
                            @DefaultValue("4") int parallel, @DefaultValue("0") DataSize maxRate) {
        public Migration {
            if (pollInterval.isNegative() || pollInterval.isZero() || passInterval.isNegative()
                    || passInterval.isZero()) {
                throw new IllegalArgumentException("hato.migration.poll-interval and pass-interval must be positive");
            }
            if (parallel < 1 || parallel > 64) {
                throw new IllegalArgumentException("hato.migration.parallel must be 1 to 64, got " + parallel);
            }
            if (maxRate.isNegative()) {
                throw new IllegalArgumentException("hato.migration.max-rate must not be negative");
            }
        }
    }

    /**
     * ManageSieve (RFC 5804, docs/managesieve.md): {@code idleTimeout} ends a silent connection; the login deadline,
     * connection limits and TLS are the other listeners'. dev.hato.managesieve.session.ManageSieveSettings checks
     * the limits.
     */
    public record ManageSieve(@DefaultValue("10m") Duration idleTimeout, @DefaultValue("30") int maxCommandsBeforeLogin,
                              @DefaultValue("10") int maxBadCommands, @DefaultValue("3") int maxAuthFailures) { }

    /**
     * IMAP limits and timers (dev.hato.imap.session.ImapSettings checks them): {@code idleTimeout} is the RFC 3501
     * §5.4 autologout after login (at least 30 minutes), {@code loginTimeout} the one before; {@code maxListPatternLength}
     * and {@code maxListWildcards} bound the LIST/LSUB patterns of one command, {@code maxAppendMessages} and
     * {@code maxAppendSize} the messages of one APPEND (RFC 3502 MULTIAPPEND) (docs/configuration.md).
     */
    public record Imap(@DefaultValue("30m") Duration idleTimeout, @DefaultValue("1m") Duration loginTimeout,
                       @DefaultValue("50MB") DataSize appendLimit, @DefaultValue("64KB") DataSize maxLiteralSize,
                       @DefaultValue("65536") int maxLineLength, @DefaultValue("16") int maxNestingDepth,
                       @DefaultValue("10") int maxBadCommandsBeforeLogin, @DefaultValue("3") int maxAuthFailures,
                       @DefaultValue("1024") int maxListPatternLength, @DefaultValue("64") int maxListWildcards,
                       @DefaultValue("1000") int maxAppendMessages, @DefaultValue("100MB") DataSize maxAppendSize) { }

    /**
     * DKIM signing of outgoing mail (docs/dkim.md): on unless switched off, for every domain with an active key;
     * keys are read from the store and cached for {@code keyCacheTtl}, so a key change reaches every node within it.
     */
    /**
     * Inbound authentication on the MTA port (docs/inbound-authentication.md): SPF, DKIM and DMARC checks recorded in
     * an Authentication-Results field whose authserv-id is {@code authservId} (the host name when unset); DMARC
     * policies applied when {@code dmarc.enforce}. DNS through {@code dnsServers} (else hato.outbound.dns-servers,
     * else the system's), each query bounded by {@code dnsTimeout}, answers cached for their TTL between
     * {@code dnsMinTtl} and {@code dnsMaxTtl}; SPF, and the checks at the end of the message, bounded by
     * {@code deadline}.
     */
    public record Inbound(@Nullable String authservId, @DefaultValue Spf spf, @DefaultValue InboundDkim dkim,
                          @DefaultValue Dmarc dmarc, @DefaultValue Arc arc, @DefaultValue List<String> dnsServers,
                          @DefaultValue("5s") Duration dnsTimeout, @DefaultValue("1m") Duration dnsMinTtl,
                          @DefaultValue("1h") Duration dnsMaxTtl, @DefaultValue("20s") Duration deadline,
                          @DefaultValue SpamFilter spamFilter) {
        public Inbound {
            dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
            if (dnsTimeout.isNegative() || dnsTimeout.isZero() || dnsTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("hato.inbound.dns-timeout must be between 1ms and 1m");
            }
            if (dnsMinTtl.isNegative() || dnsMaxTtl.compareTo(dnsMinTtl) < 0) {
                throw new IllegalArgumentException("hato.inbound.dns-min-ttl must be between 0 and dns-max-ttl");
            }
            if (deadline.isNegative() || deadline.isZero() || deadline.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("hato.inbound.deadline must be between 1ms and 5m");
            }
        }
    }

    /**
     * The spam filter on the MTA port (docs/inbound-authentication.md, "Spam filter"): rspamd's normal worker at
     * {@code url} (none: no filter), each check within {@code timeout}, messages over {@code maxSize} delivered
     * unscanned, rspamd's reject refusing the message when {@code reject} (else Junk), {@code onFailure} what an
     * outage of the filter gives. With {@code learnUrl} (rspamd's controller, its password {@code learnPassword}),
     * messages people move into or out of Junk over IMAP are taught as spam or ham.
     */
    public record SpamFilter(@Nullable URI url, @DefaultValue("10s") Duration timeout,
                             @DefaultValue("20MB") DataSize maxSize, @DefaultValue("true") boolean reject,
                             @DefaultValue("accept") SpamVerdict.OnFailure onFailure, @Nullable URI learnUrl,
                             @Nullable String learnPassword) {
        public SpamFilter {
            for (URI uri : new URI[] {url, learnUrl}) {
                if (uri != null && (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
                        || uri.getHost() == null)) {
                    throw new IllegalArgumentException("must be http://host:port, not " + uri);
                }
            }
        }
    }

    /** ARC (RFC 8617) chain validation, reported only: it changes no verdict. */
    public record Arc(@DefaultValue("true") boolean enabled) { }

    /** SPF (RFC 7208) of the MAIL FROM identity (the HELO identity for the null reverse-path). */
    public record Spf(@DefaultValue("true") boolean enabled) { }

    /** DKIM verification (RFC 6376) of at most {@code maxSignatures} signatures per message. */
    public record InboundDkim(@DefaultValue("true") boolean enabled, @DefaultValue("5") int maxSignatures) { }

    /**
     * DMARC (RFC 7489). {@code enforce}: p=reject refuses (550 5.7.1), p=quarantine files into Junk; otherwise the
     * result is only recorded. {@code deferOnTemperror}: a temperror under a policy that is (or may be) reject or
     * quarantine answers 451 4.7.0 instead of accepting. {@code domains}: per local domain, {@code monitor},
     * {@code quarantine} (reject applied as quarantine) or {@code enforce} (the default).
     */
    public record Dmarc(@DefaultValue("true") boolean enabled, @DefaultValue("true") boolean enforce,
                        @DefaultValue("false") boolean deferOnTemperror,
                        @DefaultValue Map<String, DmarcModes.Mode> domains) {
        public Dmarc {
            domains = domains == null ? Map.of() : Map.copyOf(domains);
        }
    }

    public record Dkim(@DefaultValue("true") boolean enabled, @DefaultValue("60s") Duration keyCacheTtl) {
        public Dkim {
            if (keyCacheTtl.isNegative() || keyCacheTtl.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("hato.dkim.key-cache-ttl must be between 0s and 1d");
            }
        }
    }

    /**
     * How people are authenticated; see docs/authentication.md. {@code domains} maps a mail domain to the source
     * its accounts log in against ({@code local}, {@code ldap:<name>} or {@code http:<name>}); unlisted domains
     * use local passwords.
     */
    public record Auth(@DefaultValue Token token, @DefaultValue Map<String, String> domains,
                       @DefaultValue Map<String, Ldap> ldap, @DefaultValue Map<String, Http> http,
                       @DefaultValue Breaker breaker, @DefaultValue VerifierCache verifierCache,
                       @DefaultValue LocalCache localCache, @DefaultValue Throttle throttle,
                       @DefaultValue("10s") Duration directoryTimeout, @DefaultValue("15s") Duration verifyTimeout) {
        public Auth {
            domains = domains == null ? Map.of() : Map.copyOf(domains);
            ldap = ldap == null ? Map.of() : Map.copyOf(ldap);
            http = http == null ? Map.of() : Map.copyOf(http);
        }
    }

    /** An LDAP directory to check passwords against (dev.hato.auth.ldap.LdapSettings has the rules). */
    public record Ldap(List<String> urls, @DefaultValue("false") boolean startTls,
                       @DefaultValue("system") String trust, @DefaultValue("false") boolean insecureTrustAll,
                       @Nullable String bindDn, @Nullable String bindPassword, String baseDn,
                       @Nullable String searchFilter, @Nullable String bindDnTemplate,
                       @DefaultValue("5s") Duration connectTimeout, @DefaultValue("5s") Duration responseTimeout,
                       @DefaultValue("4") int poolSize, @Nullable String peopleBaseDn,
                       @DefaultValue("(objectClass=inetOrgPerson)") String peopleFilter,
                       @DefaultValue("uid") String authIdAttribute, @DefaultValue("mail") String mailAttribute,
                       @DefaultValue("cn") String nameAttribute) { }

    /** An HTTP identity portal: POST of auth ID and password, JSON answer. */
    public record Http(URI url, @DefaultValue("5s") Duration timeout, @Nullable String bearerToken,
                       @DefaultValue("authId") String authIdField, @DefaultValue("password") String passwordField,
                       @DefaultValue("ok") String okField) { }

    /** The circuit breaker in front of every LDAP and HTTP source. */
    public record Breaker(@DefaultValue("3s") Duration timeout, @DefaultValue("50") float failureRateThreshold,
                          @DefaultValue("20") int slidingWindowSize, @DefaultValue("10") int minimumNumberOfCalls,
                          @DefaultValue("30s") Duration waitDurationInOpenState,
                          @DefaultValue("3") int permittedCallsInHalfOpen) { }

    /**
     * Failed logins (dev.hato.auth.guard.LoginThrottle has the reasoning): per auth ID from one client address
     * ({@code authId*}: a growing delay, then that address is locked out of that auth ID), per client address over all
     * auth IDs ({@code client*}: delay, then lockout), and per auth ID over all addresses ({@code authIdPaceAfter},
     * {@code authIdMaxPace}: checks take turns, never a lockout; addresses it logged in from within
     * {@code familiarFor} skip the line).
     */
    public record Throttle(@DefaultValue("3") int authIdFreeFailures, @DefaultValue("10") int authIdLockoutFailures,
                           @DefaultValue("20") int clientFreeFailures, @DefaultValue("100") int clientLockoutFailures,
                           @DefaultValue("1s") Duration firstDelay, @DefaultValue("15s") Duration maxDelay,
                           @DefaultValue("15m") Duration window, @DefaultValue("15m") Duration lockout,
                           @DefaultValue("100000") int maxTracked, @DefaultValue("10") int authIdPaceAfter,
                           @DefaultValue("60s") Duration authIdMaxPace, @DefaultValue("30d") Duration familiarFor) { }

    /** Lets recently verified people in while their source is down; off by default, memory only. */
    public record VerifierCache(@DefaultValue("false") boolean enabled, @DefaultValue("1h") Duration ttl,
                                @DefaultValue("100000") long maxEntries) { }

    /**
     * Local (Argon2id) passwords verified recently, so that a client logging in again with the same password does
     * not cost another hash; on by default, memory only, bound to the account's current hash.
     */
    public record LocalCache(@DefaultValue("true") boolean enabled, @DefaultValue("10m") Duration ttl,
                             @DefaultValue("100000") long maxEntries) { }

    /**
     * Bearer tokens (SASL OAUTHBEARER and XOAUTH2) issued by a portal: off unless {@code issuer} is set; then exactly
     * one of {@code publicKey} (PEM, RSA or EC), {@code hmacSecret} (HS256) and {@code jwksUrl} (the issuer's key set,
     * refetched every {@code jwksRefresh} and when a token names a key it does not hold) must be set.
     */
    public record Token(@Nullable String issuer, @Nullable String audience,
                        @DefaultValue("sub") String authIdClaim, @DefaultValue("60s") Duration clockSkew,
                        @Nullable Path publicKey, @Nullable String hmacSecret, @Nullable URI jwksUrl,
                        @DefaultValue("10m") Duration jwksRefresh) {
        public Token {
            int keys = (publicKey == null ? 0 : 1) + (hmacSecret == null || hmacSecret.isEmpty() ? 0 : 1)
                    + (jwksUrl == null ? 0 : 1);
            if (issuer != null && !issuer.isBlank() && keys != 1) {
                throw new IllegalArgumentException("with hato.auth.token.issuer set exactly one of public-key, "
                        + "hmac-secret and jwks-url is required");
            }
            if (jwksRefresh.compareTo(Duration.ofSeconds(30)) < 0) {
                throw new IllegalArgumentException("hato.auth.token.jwks-refresh must be at least 30s");
            }
        }

        public boolean enabled() {
            return issuer != null && !issuer.isBlank();
        }
    }

    /**
     * Outbound delivery (docs/outbound.md): the queue runner, MX lookups or a smarthost, TLS policy, retries.
     * {@code tlsPolicies} maps a destination domain to {@code none}, {@code may}, {@code encrypt} or {@code verify};
     * {@code dnsServers} are {@code host[:port]} (default: the system's resolvers).
     */
    public record Outbound(@DefaultValue("true") boolean enabled, @Nullable String heloName,
                           @DefaultValue Smarthost smarthost, @DefaultValue List<String> dnsServers,
                           @DefaultValue("25") int remotePort, @DefaultValue("2") int connectionsPerDestination,
                           @DefaultValue("100") int messagesPerConnection, @DefaultValue("5d") Duration maxAge,
                           @DefaultValue("4h") Duration delayNotice, @DefaultValue("5m") Duration firstRetry,
                           @DefaultValue("1h") Duration maxRetry, @DefaultValue("30s") Duration pollInterval,
                           @DefaultValue("15m") Duration claimLease, @DefaultValue("may") String tls,
                           @DefaultValue Map<String, String> tlsPolicies, @Nullable Path trustedCertificates,
                           @DefaultValue("30s") Duration connectTimeout, @DefaultValue("5m") Duration replyTimeout,
                           @DefaultValue("10s") Duration dnsTimeout, @DefaultValue OutboundMtaSts mtaSts,
                           @DefaultValue TlsReports tlsReports) {
        public Outbound {
            dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
            tlsPolicies = tlsPolicies == null ? Map.of() : Map.copyOf(tlsPolicies);
        }
    }

    /**
     * MTA-STS of destinations (RFC 8461; docs/outbound.md): whether policies are looked up and applied, the port of
     * the policy hosts (443; only tests change it), and the longest a policy fetch may take.
     */
    public record OutboundMtaSts(@DefaultValue("true") boolean enabled, @DefaultValue("443") int port,
                                 @DefaultValue("30s") Duration fetchTimeout) {
        public OutboundMtaSts {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("hato.outbound.mta-sts.port out of range: " + port);
            }
            if (fetchTimeout.isNegative() || fetchTimeout.isZero()) {
                throw new IllegalArgumentException("hato.outbound.mta-sts.fetch-timeout must be positive");
            }
        }
    }

    /**
     * Daily TLS reports to destinations that ask for them (RFC 8460; docs/outbound.md). Unset names default to this
     * host's: {@code organization} to the host name, {@code contact} to {@code postmaster@HOST}, {@code sender} to
     * {@code tls-reports@HOST}. {@code interval}: how often finished days are looked for.
     */
    public record TlsReports(@DefaultValue("true") boolean enabled, @Nullable String organization,
                             @Nullable String contact, @Nullable String sender,
                             @DefaultValue("1h") Duration interval) {
        public TlsReports {
            if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("hato.outbound.tls-reports.interval must be at least 1s");
            }
        }
    }

    /**
     * Metrics (docs/operations.md, "Monitoring"): {@code queueInterval} is how often the outbound queue gauges are
     * sampled from the store (a scrape never queries it).
     */
    public record Metrics(@DefaultValue("15s") Duration queueInterval) {
        public Metrics {
            if (queueInterval.compareTo(Duration.ofMillis(100)) < 0 || queueInterval.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("hato.metrics.queue-interval must be between 100ms and 1h");
            }
        }
    }

    /**
     * A relay for all outbound mail; unset {@code host} means MX delivery. {@code implicitTls} for port 465;
     * {@code tls} is the STARTTLS policy ({@code verify} also checks an implicit-TLS certificate).
     */
    public record Smarthost(@Nullable String host, @DefaultValue("587") int port,
                            @DefaultValue("false") boolean implicitTls, @DefaultValue("verify") String tls,
                            @Nullable String username, @Nullable String password) {
        public Smarthost {
            if ((username == null || username.isEmpty()) != (password == null || password.isEmpty())) {
                throw new IllegalArgumentException(
                        "set both hato.outbound.smarthost.username and password, or neither");
            }
        }
    }
}
