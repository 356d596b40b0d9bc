package io.eventgate.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every {@code ./gateway ctl} command the README and docs/ show in a code block parses: its subcommands, options and arguments exist. */
class DocumentedCommandsTest {
    @Test
    void everyCtlCommandInTheDocsParses() throws IOException {
        List<String> commands = new ArrayList<>();
        List<Path> pages = new ArrayList<>(List.of(Path.of("../README.md")));
        try (Stream<Path> docs = Files.list(Path.of("../docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        for (Path page : pages) {
            boolean inCode = false;
            for (String line : Files.readAllLines(page)) {
                if (line.strip().startsWith("```")) {
                    inCode = !inCode;
                } else if (inCode && line.strip().startsWith("./gateway ctl ")) {
                    commands.add(page.getFileName() + ": " + line.strip());
                }
            }
        }
        assertThat(commands).as("ctl commands shown in code blocks").hasSizeGreaterThan(15);
        for (String command : commands) {
            String shown = command.substring(command.indexOf("./gateway ctl ") + "./gateway ctl ".length());
            List<String> args = words(shown);
            assertThatCode(() -> new CommandLine(new Ctl()).parseArgs(args.toArray(String[]::new))).as(command).doesNotThrowAnyException();
        }
    }

    /** The shell words of a command line, up to its comment, with quotes removed. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '#' && !inWord) {
                break;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
