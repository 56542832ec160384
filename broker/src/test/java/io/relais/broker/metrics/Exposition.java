package io.relais.broker.metrics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4, for tests: every line must be a {@code # HELP} or
 * {@code # TYPE} comment or a sample {@code name{label="value",...} value}; names and label names must be
 * valid, label values may hold only the three escapes, values must be numbers (or NaN, +Inf, -Inf); a
 * family's HELP and TYPE come once and before its samples, its samples are contiguous, and no series
 * appears twice. Keeps the samples by series ({@code name} or {@code name{labels}} as written, labels in
 * the order they came). Every family must have a TYPE line (the format allows untyped samples; the
 * broker writes none).
 */
public final class Exposition {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)\\})? (\\S+)( -?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*([eE][-+]?\\d+)?|\\.\\d+([eE][-+]?\\d+)?)"
            + "|NaN|\\+Inf|-Inf");

    private final Map<String, Double> samples = new LinkedHashMap<>();
    private final Map<String, String> types = new HashMap<>();

    private Exposition() {
    }

    /** Reads {@code text}; fails with the line number and line on the first violation. */
    public static Exposition parse(String text) {
        Exposition e = new Exposition();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the exposition does not end with a line feed");
        }
        Set<String> helped = new HashSet<>();
        Set<String> finished = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            int n = i + 1;
            Matcher m;
            String family;
            if ((m = HELP.matcher(line)).matches()) {
                family = m.group(1);
                check(helped.add(family), n, line, "a second HELP for " + family);
            } else if ((m = TYPE.matcher(line)).matches()) {
                family = m.group(1);
                check(!e.types.containsKey(family), n, line, "a second TYPE for " + family);
                e.types.put(family, m.group(2));
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                String name = m.group(1);
                family = e.familyOf(name);
                check(e.types.containsKey(family), n, line, "a sample of a family without a TYPE line");
                if (m.group(3) != null && !m.group(3).isEmpty()) {
                    labels(m.group(3), n, line);
                }
                check(NUMBER.matcher(m.group(4)).matches(), n, line, "not a number: " + m.group(4));
                String series = m.group(2) == null ? name : name + m.group(2);
                check(e.samples.put(series, number(m.group(4))) == null, n, line, "a second sample of " + series);
            } else {
                throw new AssertionError("line " + n + " is neither a HELP or TYPE comment nor a sample: '" + line + "'");
            }
            if (!family.equals(current)) {
                check(!finished.contains(family), n, line, "family " + family + " is not contiguous");
                if (current != null) {
                    finished.add(current);
                }
                current = family;
            }
        }
        return e;
    }

    /** The family a sample belongs to: its name, or the name of the typed family its suffix extends. */
    private String familyOf(String sample) {
        for (String suffix : new String[] {"_total", "_created", "_bucket", "_sum", "_count", "_info"}) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                String type = types.get(base);
                if (type != null && !(suffix.equals("_total") && type.equals("gauge"))) {
                    return base;
                }
            }
        }
        return sample;
    }

    private static void labels(String inner, int n, String line) {
        Matcher m = LABEL.matcher(inner);
        int at = 0;
        Set<String> names = new HashSet<>();
        while (at < inner.length()) {
            check(m.find(at) && m.start() == at, n, line, "bad label list at '" + inner.substring(at) + "'");
            check(names.add(m.group(1)), n, line, "label " + m.group(1) + " twice");
            at = m.end();
            if (at < inner.length()) {
                check(inner.charAt(at) == ',', n, line, "labels not separated by a comma");
                at++;
            }
        }
    }

    private static double number(String s) {
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    private static void check(boolean ok, int n, String line, String what) {
        if (!ok) {
            throw new AssertionError("line " + n + ": " + what + ": '" + line + "'");
        }
    }

    /** The value of {@code series} ({@code name} or {@code name{labels}} as written), or null if absent. */
    public Double value(String series) {
        return samples.get(series);
    }

    /** The value of {@code series}, failing if it is absent. */
    public double require(String series) {
        Double v = samples.get(series);
        if (v == null) {
            throw new AssertionError("no sample " + series);
        }
        return v;
    }

    /** Every sample, by series, in order. */
    public Map<String, Double> samples() {
        return samples;
    }

    /** The TYPE of {@code family}, or null. */
    public String type(String family) {
        return types.get(family);
    }
}
