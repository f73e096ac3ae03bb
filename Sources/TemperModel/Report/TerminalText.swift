/// Text that came from a file temper did not make (a bundle's manifest, a tar entry name),
/// made safe to print: control characters (C0, DEL, C1) become `\u{..}` escapes, so a hostile
/// file cannot move the cursor, retitle the terminal or hide text.
public enum TerminalText {
    /// `keepingLines`: newlines and tabs stay (a message of several lines).
    public static func escaped(_ text: String, keepingLines: Bool = false) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let line = keepingLines && (value == 0x0A || value == 0x09)
            if !line, value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value) {
                result += "\\u{" + String(value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Whether the text holds any character `escaped` would rewrite.
    public static func hasControls(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) }
    }
}
