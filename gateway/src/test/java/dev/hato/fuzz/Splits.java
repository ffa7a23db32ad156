package dev.hato.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fuzzer's input as it would arrive on a connection: the octets, and where the network cut them into pieces. A
 * streaming decoder must give the same result for any cut (the differential invariant of {@link DecoderFuzzTest}).
 */
record Splits(byte[] whole, List<byte[]> pieces) {

    /** Up to eight cut points chosen by the fuzzer (read first), then the rest of the input as the octets. */
    static Splits of(FuzzedDataProvider data) {
        int count = data.consumeInt(0, 8);
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = data.consumeInt(0, 48);
        }
        byte[] whole = data.consumeRemainingAsBytes();
        List<byte[]> pieces = new ArrayList<>();
        int at = 0;
        for (int size : sizes) {
            int end = Math.min(whole.length, at + size);
            pieces.add(Arrays.copyOfRange(whole, at, end));
            at = end;
        }
        pieces.add(Arrays.copyOfRange(whole, at, whole.length));
        return new Splits(whole, pieces);
    }
}
