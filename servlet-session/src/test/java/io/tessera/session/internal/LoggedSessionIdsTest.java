package io.tessera.session.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoggedSessionIdsTest {

    @Test
    void aSessionIdInALog_showsItsFirstSixCharactersOnly() {
        String id = "Qm9vb3RzdHJhcHBlZCBzZXNzaW9uIGlk";

        assertThat(LoggedSessionIds.of(id)).isEqualTo("Qm9vb3…").doesNotContain(id.substring(6));
    }

    @Test
    void shortAndMissingIds_areShownAsTheyAre() {
        assertThat(LoggedSessionIds.of("abc")).isEqualTo("abc");
        assertThat(LoggedSessionIds.of(null)).isEqualTo("null");
    }
}
