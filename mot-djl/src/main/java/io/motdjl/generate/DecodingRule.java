package io.motdjl.generate;

import java.util.Arrays;

/**
 * Which tokens may come next in a row being decoded. A rule starts a state per prompt; the state
 * sees every generated token and fills the mask of allowed tokens before each draw.
 */
public interface DecodingRule {

    /**
     * The state of a row after its prompt.
     *
     * @param prompt the prompt's tokens
     * @return the row's state
     * @throws IllegalArgumentException if the prompt cannot be continued under this rule
     */
    RowState start(int[] prompt);

    /** One row's decoding state. */
    interface RowState {

        /** Sets {@code allowed[t]} for every token id {@code t}: whether it may come next. */
        void allowed(boolean[] allowed);

        /** Records the token that was drawn. */
        void accept(int token);
    }

    /** Every token is allowed. */
    static DecodingRule unconstrained() {
        return prompt ->
                new RowState() {
                    @Override
                    public void allowed(boolean[] allowed) {
                        Arrays.fill(allowed, true);
                    }

                    @Override
                    public void accept(int token) {}
                };
    }
}
