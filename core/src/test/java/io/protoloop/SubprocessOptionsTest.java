package io.protoloop;

import io.protoloop.transport.WriteBufferLimits;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubprocessOptionsTest {

    @Test
    void defaultsAreAsyncios() {
        SubprocessOptions o = SubprocessOptions.DEFAULT;
        assertThat(o.stdin()).isEqualTo(Redirect.PIPE);
        assertThat(o.stdout()).isEqualTo(Redirect.PIPE);
        assertThat(o.stderr()).isEqualTo(Redirect.PIPE);
        assertThat(o.stdinFile()).isNull();
        assertThat(o.cwd()).isNull();
        assertThat(o.env()).isNull();
        assertThat(o.stdinWriteBufferLimits()).isEqualTo(WriteBufferLimits.DEFAULT);
    }

    @Test
    void aFileReplacesTheRedirectAndBack() {
        Path file = Path.of("/tmp/out");
        SubprocessOptions o = SubprocessOptions.builder().stdout(file).build();
        assertThat(o.stdout()).isNull();
        assertThat(o.stdoutFile()).isEqualTo(file);

        o = SubprocessOptions.builder().stdout(file).stdout(Redirect.DEVNULL).build();
        assertThat(o.stdout()).isEqualTo(Redirect.DEVNULL);
        assertThat(o.stdoutFile()).isNull();
    }

    @Test
    void stdoutRedirectIsOnlyForStderr() {
        assertThat(SubprocessOptions.builder().stderr(Redirect.STDOUT).build().stderr()).isEqualTo(Redirect.STDOUT);
        assertThatThrownBy(() -> SubprocessOptions.builder().stdout(Redirect.STDOUT).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only valid for stderr");
        assertThatThrownBy(() -> SubprocessOptions.builder().stdin(Redirect.STDOUT).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eachStreamNeedsExactlyOneTarget() {
        WriteBufferLimits l = WriteBufferLimits.DEFAULT;
        assertThatThrownBy(() -> new SubprocessOptions(null, null, Redirect.PIPE, null, Redirect.PIPE, null, null,
                null, l)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stdin");
        assertThatThrownBy(() -> new SubprocessOptions(Redirect.PIPE, Path.of("x"), Redirect.PIPE, null,
                Redirect.PIPE, null, null, null, l)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEnvironmentIsCopied() {
        Map<String, String> env = new HashMap<>(Map.of("A", "1"));
        SubprocessOptions o = SubprocessOptions.builder().env(env).build();
        env.put("B", "2");
        assertThat(o.env()).containsExactly(Map.entry("A", "1"));
        Map<String, String> withNull = new HashMap<>();
        withNull.put("A", null);
        assertThatThrownBy(() -> SubprocessOptions.builder().env(withNull).build())
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void stdinLimitsFollowAsynciosRules() {
        assertThat(SubprocessOptions.builder().stdinWriteBufferLimits(1000, null).build().stdinWriteBufferLimits())
                .isEqualTo(new WriteBufferLimits(250, 1000));
        assertThatThrownBy(() -> SubprocessOptions.builder().stdinWriteBufferLimits(1, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
