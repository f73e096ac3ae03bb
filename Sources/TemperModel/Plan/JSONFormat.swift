import Foundation

extension JSONEncoder {
    /// The one format of every JSON file temper writes or prints: indented, keys sorted,
    /// slashes unescaped, so files diff well and paths read as paths.
    public static var temper: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
