package dev.hato.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The accounts a load run logs in as, from a file of lines {@code login<TAB>password[<TAB>address]} (blank lines
 * and lines starting with "#" ignored). Hato's logins are auth IDs that differ from the addresses mail is sent to,
 * so the address, when a tool delivers mail, is the third column.
 */
record Accounts(List<Account> all) {

    record Account(String login, String password, String address) {
        Account {
            for (String value : List.of(login, password, address)) {
                if (value.isEmpty() || value.chars().anyMatch(c -> c < 0x20 || c == '"' || c == '\\')) {
                    throw new IllegalArgumentException("account fields must be non-empty, without controls, quotes"
                            + " or backslashes (they are sent as IMAP quoted strings)");
                }
            }
        }

        /** RFC 3501 §6.2.3 LOGIN with quoted strings (the constructor refused what would need escaping). */
        String loginCommand() {
            return "LOGIN \"" + login + "\" \"" + password + "\"";
        }
    }

    Accounts {
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no accounts");
        }
        all = List.copyOf(all);
    }

    Account get(int index) {
        return all.get(Math.floorMod(index, all.size()));
    }

    int size() {
        return all.size();
    }

    static Accounts read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read accounts file " + file, e);
        }
        List<Account> accounts = new ArrayList<>();
        int number = 0;
        for (String line : lines) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t");
            if (fields.length < 2 || fields.length > 3) {
                throw new IllegalArgumentException(file + ":" + number + ": expected login<TAB>password[<TAB>address]");
            }
            accounts.add(new Account(fields[0], fields[1], fields.length == 3 ? fields[2] : fields[0]));
        }
        return new Accounts(accounts);
    }
}
