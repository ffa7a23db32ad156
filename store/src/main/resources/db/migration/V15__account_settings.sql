-- A person's own settings (webmail's language first; issue 15): a name and a value per account, gone with the account.
CREATE TABLE account_setting (
    account_id bigint NOT NULL CONSTRAINT account_setting_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    name       text   NOT NULL CONSTRAINT account_setting_name_known CHECK (name ~ '^[a-z][a-z0-9.-]{0,63}$'),
    value      text   NOT NULL CONSTRAINT account_setting_value_short CHECK (length(value) <= 1000),
    CONSTRAINT account_setting_pkey PRIMARY KEY (account_id, name)
);
