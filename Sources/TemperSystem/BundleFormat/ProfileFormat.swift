import TemperModel
import Foundation

/// The indexed profile's format version. llvm-profdata reports it (`show --profile-version`);
/// the same number is the header's second 64-bit word (low 32 bits), which temper reads
/// directly where no tool has run yet.
public enum ProfileFormat {
    /// "\xfflprofi\x81", the indexed profile magic, in file order.
    static let magic: [UInt8] = [0xff, 0x6c, 0x70, 0x72, 0x6f, 0x66, 0x69, 0x81]

    public static func headerVersion(_ data: Data) -> Int? {
        let bytes = [UInt8](data.prefix(16))
        guard bytes.count == 16, Array(bytes[0..<8]) == magic else { return nil }
        var version = 0
        for index in (8..<12).reversed() { version = version << 8 | Int(bytes[index]) }
        return version
    }

    /// "Profile version: 13" in `llvm-profdata show --profile-version` output.
    public static func reported(_ text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix("Profile version:") {
            return Int(line.dropFirst("Profile version:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Sets the header version (tests make a bundle from a "newer LLVM" with it).
    public static func withHeaderVersion(_ data: Data, _ version: Int) -> Data {
        var bytes = [UInt8](data)
        guard headerVersion(data) != nil else { return data }
        for index in 0..<4 { bytes[8 + index] = UInt8((version >> (8 * index)) & 0xff) }
        return Data(bytes)
    }
}
