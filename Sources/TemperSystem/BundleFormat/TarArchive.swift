import TemperModel
import Foundation

/// A POSIX ustar archive of regular files, written byte-for-byte deterministically (sorted
/// names, mode 0644, owner 0, mtime 0), so the same contents always give the same bundle and
/// `tar tf` can read it. Only the names a bundle uses are accepted: relative, no `..`, no
/// empty or `.` components, at most 100 bytes (no ustar prefix field).
public enum TarArchive {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case badName(String)
        case truncated(String)
        case badHeader(String)
        case duplicate(String)

        public var description: String {
            switch self {
            case .badName(let name): return "the archive entry name `\(name)` is not a plain relative path"
            case .truncated(let what): return "the archive ends inside \(what)"
            case .badHeader(let why): return "the archive has a damaged header (\(why))"
            case .duplicate(let name): return "the archive holds `\(name)` twice"
            }
        }
    }

    static let block = 512

    /// Whether a name is a safe relative path inside an archive.
    public static func isSafe(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 100, !name.hasPrefix("/"), !name.contains("\0"), !name.contains("\\") else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    public static func write(_ entries: [String: Data]) throws -> Data {
        var out = Data()
        for name in entries.keys.sorted() {
            guard isSafe(name) else { throw Failure.badName(name) }
            let contents = entries[name]!
            var header = [UInt8](repeating: 0, count: block)
            func put(_ text: String, at offset: Int) {
                for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
            }
            func octal(_ value: Int, width: Int) -> String {
                let digits = String(value, radix: 8)
                return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
            }
            put(name, at: 0)
            put(octal(0o644, width: 8), at: 100)
            put(octal(0, width: 8), at: 108)
            put(octal(0, width: 8), at: 116)
            put(octal(contents.count, width: 12), at: 124)
            put(octal(0, width: 12), at: 136)
            put("        ", at: 148)
            header[156] = UInt8(ascii: "0")
            put("ustar", at: 257)
            put("00", at: 263)
            let sum = header.reduce(0) { $0 + Int($1) }
            put(octal(sum, width: 7) + "\0", at: 148)
            out.append(contentsOf: header)
            out.append(contents)
            let padding = (block - contents.count % block) % block
            out.append(Data(count: padding))
        }
        out.append(Data(count: block * 2))
        return out
    }

    /// Reads every regular file; refuses unsafe names, duplicates, and any other entry type.
    public static func read(_ data: Data) throws -> [String: Data] {
        var entries: [String: Data] = [:]
        let bytes = [UInt8](data)
        var offset = 0
        while true {
            guard offset + block <= bytes.count else { throw Failure.truncated("a header") }
            let header = bytes[offset..<(offset + block)]
            if header.allSatisfy({ $0 == 0 }) { return entries }
            func field(_ start: Int, _ length: Int) -> String {
                let slice = bytes[(offset + start)..<(offset + start + length)]
                return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
            }
            let rawName = field(0, 100)
            let type = bytes[offset + 156]
            // Directory entries (which `tar cf` adds) carry nothing; they are skipped.
            let name = type == UInt8(ascii: "5") && rawName.hasSuffix("/") ? String(rawName.dropLast()) : rawName
            guard isSafe(name) else { throw Failure.badName(rawName) }
            let sizeText = field(124, 12).trimmingCharacters(in: .whitespaces)
            guard let size = Int(sizeText, radix: 8), size >= 0, size < Int(Int32.max) else { throw Failure.badHeader("size `\(sizeText)` of \(name)") }
            var sum = 0
            for index in 0..<block { sum += (148..<156).contains(index) ? 32 : Int(bytes[offset + index]) }
            guard Int(field(148, 8).trimmingCharacters(in: .whitespaces), radix: 8) == sum else { throw Failure.badHeader("checksum of \(name)") }
            let start = offset + block
            if type == UInt8(ascii: "5") {
                offset = start + (size + block - 1) / block * block
                continue
            }
            guard type == UInt8(ascii: "0") || type == 0 else { throw Failure.badHeader("\(name) is not a regular file") }
            guard start + size <= bytes.count else { throw Failure.truncated(name) }
            guard entries[name] == nil else { throw Failure.duplicate(name) }
            entries[name] = Data(bytes[start..<(start + size)])
            offset = start + (size + block - 1) / block * block
        }
    }
}


extension TarArchive.Failure: ExitCoded {
    public var exitStatus: Int32 { ExitStatus.badInput }
}
