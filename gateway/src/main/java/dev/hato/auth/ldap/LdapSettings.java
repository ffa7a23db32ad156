package dev.hato.auth.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An LDAP directory that checks passwords ({@link LdapCredentialSource}).
 *
 * @param name             short name for logs, metrics and the health endpoint; the source is called
 *                         {@code ldap:<name>}
 * @param urls             {@code ldap://host[:389]} or {@code ldaps://host[:636]}, tried in order (failover)
 * @param startTls         upgrade {@code ldap://} connections with StartTLS (RFC 4511 §4.14) before anything else
 * @param trust            {@code system} (the JVM's CA certificates) or the path of a PEM file of CA certificates
 * @param insecureTrustAll accept any server certificate and host name: for tests only, never in production
 * @param bindDn           the service account that searches for entries; null with {@code bindPassword} null
 *                         for anonymous searches
 * @param bindPassword     its password
 * @param baseDn           where entries are searched for by auth ID
 * @param searchFilter     filter template; {@code {authId}} is replaced by the escaped auth ID (RFC 4515 §3).
 *                         Null means {@code (<authIdAttribute>={authId})}
 * @param bindDnTemplate   when set, no search: Hato binds directly as this DN, {@code {authId}} replaced by the
 *                         escaped auth ID (RFC 4514 §2.4), e.g. {@code uid={authId},ou=people,dc=example,dc=org}
 * @param connectTimeout   longest wait for a TCP connection (and the TLS handshake)
 * @param responseTimeout  longest wait for the answer to one LDAP operation
 * @param poolSize         connections kept per pool (one pool searches, one binds as users)
 * @param peopleBaseDn     subtree listed by {@link LdapCredentialSource#people()}; null means {@code baseDn}
 * @param peopleFilter     which entries {@code people()} lists
 * @param authIdAttribute  attribute holding the auth ID
 * @param mailAttribute    attribute holding the mail address
 * @param nameAttribute    attribute holding the display name
 */
public record LdapSettings(String name, List<String> urls, boolean startTls, String trust, boolean insecureTrustAll,
                           @Nullable String bindDn, @Nullable String bindPassword, String baseDn,
                           String searchFilter, @Nullable String bindDnTemplate, Duration connectTimeout,
                           Duration responseTimeout, int poolSize, String peopleBaseDn, String peopleFilter,
                           String authIdAttribute, String mailAttribute, String nameAttribute) {

    public static final String PLACEHOLDER = "{authId}";
    public static final String SYSTEM_TRUST = "system";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,40}");
    private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z][A-Za-z0-9-]*|[0-9]+(\\.[0-9]+)+");
    private static final String SAMPLE_ID = "abcd.e.fg-x7q2";

    public LdapSettings(String name, List<String> urls, boolean startTls, String trust, boolean insecureTrustAll,
                        @Nullable String bindDn, @Nullable String bindPassword, String baseDn,
                        @Nullable String searchFilter, @Nullable String bindDnTemplate, Duration connectTimeout,
                        Duration responseTimeout, int poolSize, @Nullable String peopleBaseDn, String peopleFilter,
                        String authIdAttribute, String mailAttribute, String nameAttribute) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("LDAP source name must be 1-40 letters, digits, '.', '_' or '-'");
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("LDAP source " + name + " needs at least one URL");
        }
        for (String url : urls) {
            String scheme = parse(name, url).getScheme();
            if (startTls && scheme.equals("ldaps")) {
                throw new IllegalArgumentException("LDAP source " + name + ": StartTLS is for ldap:// URLs, not "
                        + url + " (already TLS)");
            }
        }
        if (trust.isBlank()) {
            throw new IllegalArgumentException("LDAP source " + name + ": trust must be \"system\" or a PEM file");
        }
        if ((bindDn == null) != (bindPassword == null)) {
            throw new IllegalArgumentException("LDAP source " + name + ": give both bind DN and bind password, or"
                    + " neither for anonymous searches");
        }
        if (bindDn != null && (!DN.isValidDN(bindDn) || bindDn.isBlank() || bindPassword.isEmpty())) {
            throw new IllegalArgumentException("LDAP source " + name + ": invalid bind DN or empty bind password");
        }
        requireDn(name, "base DN", baseDn);
        requireAttribute(name, "auth ID attribute", authIdAttribute);
        requireAttribute(name, "mail attribute", mailAttribute);
        requireAttribute(name, "name attribute", nameAttribute);
        if (searchFilter == null) {
            searchFilter = "(" + authIdAttribute + "=" + PLACEHOLDER + ")";
        }
        if (!searchFilter.contains(PLACEHOLDER)) {
            throw new IllegalArgumentException("LDAP source " + name + ": search filter must contain " + PLACEHOLDER);
        }
        requireFilter(name, "search filter", searchFilter.replace(PLACEHOLDER, SAMPLE_ID));
        if (bindDnTemplate != null) {
            if (!bindDnTemplate.contains(PLACEHOLDER)) {
                throw new IllegalArgumentException("LDAP source " + name + ": bind DN template must contain "
                        + PLACEHOLDER);
            }
            requireDn(name, "bind DN template", bindDnTemplate.replace(PLACEHOLDER, SAMPLE_ID));
        }
        requirePositive(name, "connect timeout", connectTimeout);
        requirePositive(name, "response timeout", responseTimeout);
        if (poolSize < 1 || poolSize > 100) {
            throw new IllegalArgumentException("LDAP source " + name + ": pool size must be 1-100");
        }
        if (peopleBaseDn == null) {
            peopleBaseDn = baseDn;
        }
        requireDn(name, "people base DN", peopleBaseDn);
        requireFilter(name, "people filter", peopleFilter);
        this.name = name;
        this.urls = List.copyOf(urls);
        this.startTls = startTls;
        this.trust = trust;
        this.insecureTrustAll = insecureTrustAll;
        this.bindDn = bindDn;
        this.bindPassword = bindPassword;
        this.baseDn = baseDn;
        this.searchFilter = searchFilter;
        this.bindDnTemplate = bindDnTemplate;
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
        this.poolSize = poolSize;
        this.peopleBaseDn = peopleBaseDn;
        this.peopleFilter = peopleFilter;
        this.authIdAttribute = authIdAttribute;
        this.mailAttribute = mailAttribute;
        this.nameAttribute = nameAttribute;
    }

    /**
     * Search by {@code (uid={authId})} under {@code baseDn}, anonymously, system trust, no StartTLS; 5 s connect and
     * response timeouts, 4 connections per pool; {@code people()} lists {@code (objectClass=inetOrgPerson)} with
     * uid, mail and cn.
     */
    public static LdapSettings defaults(String name, List<String> urls, String baseDn) {
        return new LdapSettings(name, urls, false, SYSTEM_TRUST, false, null, null, baseDn, null, null,
                Duration.ofSeconds(5), Duration.ofSeconds(5), 4, null, "(objectClass=inetOrgPerson)", "uid", "mail",
                "cn");
    }

    static LDAPURL parse(String name, String url) {
        LDAPURL parsed;
        try {
            parsed = new LDAPURL(url);
        } catch (LDAPException e) {
            throw new IllegalArgumentException("LDAP source " + name + ": invalid URL " + url, e);
        }
        if (!parsed.hostProvided()) {
            throw new IllegalArgumentException("LDAP source " + name + ": URL " + url + " names no host");
        }
        return parsed;
    }

    private static void requireDn(String name, String what, String dn) {
        if (dn.isBlank() || !DN.isValidDN(dn)) {
            throw new IllegalArgumentException("LDAP source " + name + ": invalid " + what + " " + dn);
        }
    }

    private static void requireFilter(String name, String what, String filter) {
        try {
            Filter.create(filter);
        } catch (LDAPException e) {
            throw new IllegalArgumentException("LDAP source " + name + ": invalid " + what + " " + filter, e);
        }
    }

    private static void requireAttribute(String name, String what, String attribute) {
        if (!ATTRIBUTE.matcher(attribute).matches()) {
            throw new IllegalArgumentException("LDAP source " + name + ": invalid " + what + " " + attribute);
        }
    }

    private static void requirePositive(String name, String what, Duration duration) {
        if (duration.isNegative() || duration.isZero() || duration.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("LDAP source " + name + ": " + what + " must be positive");
        }
    }

    /** Never shows the bind password. */
    @Override
    public String toString() {
        return "LdapSettings[name=" + name + ", urls=" + urls + ", startTls=" + startTls + ", trust=" + trust
                + ", insecureTrustAll=" + insecureTrustAll + ", bindDn=" + bindDn + ", bindPassword="
                + (bindPassword == null ? "none" : "***") + ", baseDn=" + baseDn + ", searchFilter=" + searchFilter
                + ", bindDnTemplate=" + bindDnTemplate + ", connectTimeout=" + connectTimeout + ", responseTimeout="
                + responseTimeout + ", poolSize=" + poolSize + ", peopleBaseDn=" + peopleBaseDn + ", peopleFilter="
                + peopleFilter + ", authIdAttribute=" + authIdAttribute + ", mailAttribute=" + mailAttribute
                + ", nameAttribute=" + nameAttribute + "]";
    }

    public LdapSettings withUrls(List<String> value) {
        return new LdapSettings(name, value, startTls, trust, insecureTrustAll, bindDn, bindPassword, baseDn,
                searchFilter, bindDnTemplate, connectTimeout, responseTimeout, poolSize, peopleBaseDn, peopleFilter,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    public LdapSettings withStartTls(boolean value) {
        return new LdapSettings(name, urls, value, trust, insecureTrustAll, bindDn, bindPassword, baseDn,
                searchFilter, bindDnTemplate, connectTimeout, responseTimeout, poolSize, peopleBaseDn, peopleFilter,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    public LdapSettings withTrust(String value) {
        return new LdapSettings(name, urls, startTls, value, insecureTrustAll, bindDn, bindPassword, baseDn,
                searchFilter, bindDnTemplate, connectTimeout, responseTimeout, poolSize, peopleBaseDn, peopleFilter,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    public LdapSettings withInsecureTrustAll(boolean value) {
        return new LdapSettings(name, urls, startTls, trust, value, bindDn, bindPassword, baseDn,
                searchFilter, bindDnTemplate, connectTimeout, responseTimeout, poolSize, peopleBaseDn, peopleFilter,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    /** Both null for anonymous searches. */
    public LdapSettings withBind(@Nullable String dn, @Nullable String password) {
        return new LdapSettings(name, urls, startTls, trust, insecureTrustAll, dn, password, baseDn,
                searchFilter, bindDnTemplate, connectTimeout, responseTimeout, poolSize, peopleBaseDn, peopleFilter,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    public LdapSettings withBaseDn(String value) {
        return new LdapSettings(name, urls, startTls, trust, insecureTrustAll, bindDn, bindPassword, value,
                searchFilter, bindDnTemplate, connectTimeout, responseTimeout, poolSize, peopleBaseDn, peopleFilter,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    public LdapSettings withSearchFilter(String value) {
        return new LdapSettings(name, urls, startTls, trust, insecureTrustAll, bindDn, bindPassword, baseDn,
                value, bindDnTemplate, connectTimeout, responseTimeout, poolSize, peopleBaseDn, peopleFilter,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    public LdapSettings withBindDnTemplate(@Nullable String value) {
        return new LdapSettings(name, urls, startTls, trust, insecureTrustAll, bindDn, bindPassword, baseDn,
                searchFilter, value, connectTimeout, responseTimeout, poolSize, peopleBaseDn, peopleFilter,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    public LdapSettings withConnectTimeout(Duration value) {
        return new LdapSettings(name, urls, startTls, trust, insecureTrustAll, bindDn, bindPassword, baseDn,
                searchFilter, bindDnTemplate, value, responseTimeout, poolSize, peopleBaseDn, peopleFilter,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    public LdapSettings withResponseTimeout(Duration value) {
        return new LdapSettings(name, urls, startTls, trust, insecureTrustAll, bindDn, bindPassword, baseDn,
                searchFilter, bindDnTemplate, connectTimeout, value, poolSize, peopleBaseDn, peopleFilter,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    public LdapSettings withPoolSize(int value) {
        return new LdapSettings(name, urls, startTls, trust, insecureTrustAll, bindDn, bindPassword, baseDn,
                searchFilter, bindDnTemplate, connectTimeout, responseTimeout, value, peopleBaseDn, peopleFilter,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    public LdapSettings withPeople(String baseDnValue, String filterValue) {
        return new LdapSettings(name, urls, startTls, trust, insecureTrustAll, bindDn, bindPassword, baseDn,
                searchFilter, bindDnTemplate, connectTimeout, responseTimeout, poolSize, baseDnValue, filterValue,
                authIdAttribute, mailAttribute, nameAttribute);
    }

    /**
     * The attributes for auth ID, mail and display name. The search filter is re-derived from the auth ID
     * attribute unless one was set explicitly (call {@link #withSearchFilter} afterwards to override).
     */
    public LdapSettings withAttributes(String authId, String mail, String displayName) {
        String filter = searchFilter.equals("(" + authIdAttribute + "=" + PLACEHOLDER + ")") ? null : searchFilter;
        return new LdapSettings(name, urls, startTls, trust, insecureTrustAll, bindDn, bindPassword, baseDn,
                filter, bindDnTemplate, connectTimeout, responseTimeout, poolSize, peopleBaseDn, peopleFilter,
                authId, mail, displayName);
    }
}
