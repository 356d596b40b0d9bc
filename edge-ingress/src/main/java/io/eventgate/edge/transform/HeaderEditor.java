package io.eventgate.edge.transform;

import io.eventgate.policy.model.RoutePolicies;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A route's header edits, compiled once per route: the headers that pass through are filtered and renamed as they
 * are written ({@link #pass}), then the set and added ones follow ({@link #finish}). Names compare case-insensitively.
 */
public final class HeaderEditor {
    public static final HeaderEditor NONE = new HeaderEditor(RoutePolicies.HeaderEdits.NONE);

    private final Set<String> dropped = new HashSet<>();
    private final Map<String, String> renamed = new HashMap<>();
    private final Map<String, String> set;
    private final Map<String, String> add;
    private final boolean empty;

    public HeaderEditor(RoutePolicies.HeaderEdits edits) {
        edits.remove().forEach(name -> dropped.add(name.toLowerCase(Locale.ROOT)));
        edits.rename().forEach((from, to) -> renamed.put(from.toLowerCase(Locale.ROOT), to));
        edits.set().keySet().forEach(name -> dropped.add(name.toLowerCase(Locale.ROOT))); // set replaces: the passing ones go
        this.set = edits.set();
        this.add = edits.add();
        this.empty = edits.isEmpty();
    }

    public boolean isEmpty() {
        return empty;
    }

    /** Writes one passing header to {@code out}: dropped, renamed or as it is. */
    public void pass(String name, List<String> values, BiConsumer<String, String> out) {
        String lower = empty ? name : name.toLowerCase(Locale.ROOT); // without edits the lower-cased name is never looked at
        for (String value : values) {
            pass(name, lower, value, out);
        }
    }

    /** Writes one passing header line, given its name also in lower case: dropped, renamed or as it is. */
    public void pass(String name, String lowerName, String value, BiConsumer<String, String> out) {
        if (empty) {
            out.accept(name, value);
        } else if (!dropped.contains(lowerName)) {
            out.accept(renamed.getOrDefault(lowerName, name), value);
        }
    }

    /** Writes the set and added headers, after every passing one. */
    public void finish(BiConsumer<String, String> out) {
        set.forEach(out);
        add.forEach(out);
    }
}
