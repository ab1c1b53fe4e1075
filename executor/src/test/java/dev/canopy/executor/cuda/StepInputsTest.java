package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.model.ForwardBatch;
import org.junit.jupiter.api.Test;

/** A step's inputs reach the GPU as one checked int array. */
class StepInputsTest {

    private static final int VOCAB = 100;
    private static final int BLOCKS = 8;
    private static final int BLOCK_SIZE = 4;
    private static final int MAX_POSITIONS = 32;

    @Test
    void flattensTokensPositionsTablesAndLogitRows() {
        // sequence 0: prefill of 3 tokens at 0..2; sequence 1: one decode token at position 5
        ForwardBatch b = new ForwardBatch(new int[] {7, 8, 9, 42}, new int[] {0, 1, 2, 5}, new int[] {0, 0, 0, 1},
                new int[][] {{3}, {1, 6}}, new int[] {2, 3});
        StepInputs in = StepInputs.of(b, VOCAB, BLOCKS, BLOCK_SIZE, MAX_POSITIONS);
        assertThat(in.rows()).isEqualTo(4);
        assertThat(in.logitRows()).isEqualTo(2);
        assertThat(in.maxPosition()).isEqualTo(5);
        assertThat(in.ints()).containsExactly(
                7, 8, 9, 42,     // tokens
                0, 1, 2, 5,      // positions
                0, 0, 0, 1,      // where each row's table starts in the tables part
                2, 3,            // logit rows
                3, 1, 6);        // tables of sequence 0 and 1
        assertThat(in.positionsOffset()).isEqualTo(4);
        assertThat(in.rowTablesOffset()).isEqualTo(8);
        assertThat(in.logitRowsOffset()).isEqualTo(12);
        assertThat(in.tablesOffset()).isEqualTo(14);
    }

    @Test
    void rowsWhoseTablesStartWithTheSameBlocksFormASharedPrefixGroup() {
        // sequences 0 and 1 share blocks 3, 5 (8 positions) and decode at 9 and 10; sequence 2 is alone
        ForwardBatch b = new ForwardBatch(new int[] {1, 2, 3}, new int[] {9, 10, 1}, new int[] {0, 1, 2},
                new int[][] {{3, 5, 7}, {3, 5, 6}, {2}}, new int[] {0, 1, 2});
        StepInputs in = StepInputs.of(b, VOCAB, BLOCKS, BLOCK_SIZE, MAX_POSITIONS, 8);
        assertThat(in.groups()).isEqualTo(1);
        assertThat(in.ints()).containsExactly(
                1, 2, 3,                            // tokens
                9, 10, 1,                           // positions
                0, 3, 6,                            // where each row's table starts
                0, 1, 2,                            // logit rows
                8, 8, 0,                            // prefix end per row
                0, 8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, // groups: table at 0, 8 positions, members 0..1
                0, 1, 0,                            // members
                3, 5, 7, 3, 5, 6, 2);               // tables
        assertThat(in.tablesOffset()).isEqualTo(30);
        assertThat(StepInputs.of(b, VOCAB, BLOCKS, BLOCK_SIZE, MAX_POSITIONS).ints()).as("without groups")
                .containsExactly(1, 2, 3, 9, 10, 1, 0, 3, 6, 0, 1, 2, 3, 5, 7, 3, 5, 6, 2);
    }

    @Test
    void aSharedPrefixEndsBeforeEveryRowsOwnPositionAndGroupsAreCutToTheirLimit() {
        // three sequences share blocks 3, 5, but sequence 2 is at position 6: only block 3 stays shared
        ForwardBatch b = new ForwardBatch(new int[] {1, 2, 3}, new int[] {9, 10, 6}, new int[] {0, 1, 2},
                new int[][] {{3, 5, 7}, {3, 5, 6}, {3, 5}}, new int[0]);
        SharedPrefixes groups = SharedPrefixes.of(b, BLOCK_SIZE, new int[] {0, 3, 6}, 2);
        assertThat(groups.count()).isEqualTo(2);
        assertThat(groups.prefixEnd()).containsExactly(4, 4, 4);
        assertThat(groups.groups()).containsExactly(0, 4, 0, 2, 0, 4, 2, 1, 0, 0, 0, 0);
        assertThat(groups.members()).containsExactly(0, 1, 2);

        ForwardBatch noSharing = new ForwardBatch(new int[] {1, 2}, new int[] {9, 2}, new int[] {0, 1},
                new int[][] {{3, 5, 7}, {3}}, new int[0]); // sequence 1's row is inside the would-be prefix
        assertThat(SharedPrefixes.of(noSharing, BLOCK_SIZE, new int[] {0, 3}, 8).count()).isZero();
        assertThat(StepInputs.of(noSharing, VOCAB, BLOCKS, BLOCK_SIZE, MAX_POSITIONS, 8).groups()).isZero();
    }

    @Test
    void refusesATokenOutsideTheVocabulary() {
        assertThatThrownBy(() -> of(new ForwardBatch(new int[] {100}, new int[] {0}, new int[] {0}, new int[][] {{0}},
                new int[] {0}))).hasMessage("Cannot run forward step on the GPU: row 0 has token 100, outside the "
                + "vocabulary [0, 100)");
    }

    @Test
    void refusesAPositionItsBlockTableDoesNotCover() {
        assertThatThrownBy(() -> of(new ForwardBatch(new int[] {1}, new int[] {4}, new int[] {0}, new int[][] {{0}},
                new int[] {0}))).hasMessage("Cannot run forward step on the GPU: row 0 at position 4 needs block 1 of "
                + "sequence 0, whose table has 1 blocks");
    }

    @Test
    void refusesABlockIdOutsideTheCache() {
        assertThatThrownBy(() -> of(new ForwardBatch(new int[] {1}, new int[] {0}, new int[] {0}, new int[][] {{8}},
                new int[] {0}))).hasMessage("Cannot run forward step on the GPU: sequence 0 lists KV block 8 but the "
                + "cache has blocks 0..7");
    }

    @Test
    void refusesAPositionBeyondWhatTheAttentionKernelHolds() {
        assertThatThrownBy(() -> of(new ForwardBatch(new int[] {1}, new int[] {32}, new int[] {0},
                new int[][] {{0, 1, 2, 3, 4, 5, 6, 7, 0}}, new int[] {0})))
                .hasMessage("Cannot run forward step on the GPU: row 0 is at position 32; the GPU attention kernel "
                        + "holds positions 0..31");
    }

    @Test
    void refusesALogitRowThatIsNotInTheStep() {
        assertThatThrownBy(() -> of(new ForwardBatch(new int[] {1}, new int[] {0}, new int[] {0}, new int[][] {{0}},
                new int[] {1}))).hasMessage("Cannot run forward step on the GPU: logit row 1 is not one of the 1 rows");
    }

    @Test
    void refusesARowOfAMissingSequence() {
        assertThatThrownBy(() -> of(new ForwardBatch(new int[] {1}, new int[] {0}, new int[] {2}, new int[][] {{0}},
                new int[] {0}))).hasMessage("Cannot run forward step on the GPU: row 0 belongs to sequence 2 but there"
                + " are 1 block tables");
    }

    private static StepInputs of(ForwardBatch b) {
        return StepInputs.of(b, VOCAB, BLOCKS, BLOCK_SIZE, MAX_POSITIONS);
    }
}
