import TemperModel
import Foundation

/// Reads the section names of an ELF file (32/64-bit, little or big endian), without any
/// external tool. Enough to check what a build really produced: profile instrumentation
/// (`__llvm_prf_cnts`), and later relocations, symbols and BOLT's marks.
public struct ELFFile: Sendable, Equatable {
    public let sectionNames: Set<String>
    /// e_type: 2 for a fixed-address executable, 3 for a PIE or a shared object.
    public let type: Int

    /// nil when the file is not ELF (a script, an archive): nothing can be said about it.
    public init?(path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 64), header.count >= 52,
            header.starts(with: [0x7f, 0x45, 0x4c, 0x46])
        else { return nil }
        let is64 = header[4] == 2
        let little = header[5] == 1
        func integer(_ data: Data, _ offset: Int, _ size: Int) -> Int {
            guard offset + size <= data.count else { return 0 }
            let bytes = data[data.startIndex + offset..<data.startIndex + offset + size]
            return (little ? bytes.reversed() : Array(bytes)).reduce(0) { $0 << 8 | Int($1) }
        }
        type = integer(header, 16, 2)
        let sectionTable = is64 ? integer(header, 0x28, 8) : integer(header, 0x20, 4)
        let entrySize = is64 ? integer(header, 0x3A, 2) : integer(header, 0x2E, 2)
        let count = is64 ? integer(header, 0x3C, 2) : integer(header, 0x30, 2)
        let namesIndex = is64 ? integer(header, 0x3E, 2) : integer(header, 0x32, 2)
        guard sectionTable > 0, count > 0, namesIndex < count, entrySize >= (is64 ? 64 : 40) else { return nil }
        guard (try? handle.seek(toOffset: UInt64(sectionTable))) != nil,
            let table = try? handle.read(upToCount: entrySize * count), table.count == entrySize * count
        else { return nil }
        func section(_ index: Int) -> (name: Int, offset: Int, size: Int) {
            let base = index * entrySize
            return is64
                ? (integer(table, base, 4), integer(table, base + 0x18, 8), integer(table, base + 0x20, 8))
                : (integer(table, base, 4), integer(table, base + 0x10, 4), integer(table, base + 0x14, 4))
        }
        let strings = section(namesIndex)
        guard (try? handle.seek(toOffset: UInt64(strings.offset))) != nil,
            let names = try? handle.read(upToCount: strings.size)
        else { return nil }
        var result: Set<String> = []
        for index in 0..<count {
            let start = section(index).name
            guard start < names.count else { continue }
            let tail = names[(names.startIndex + start)...]
            let end = tail.firstIndex(of: 0) ?? names.endIndex
            let name = String(decoding: names[(names.startIndex + start)..<end], as: UTF8.self)
            if !name.isEmpty { result.insert(name) }
        }
        sectionNames = result
    }

    /// Whether the file's bytes contain `text` anywhere (read in overlapping chunks).
    public static func contains(_ path: String, _ text: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let needle = Data(text.utf8)
        var carry = Data()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            let window = carry + chunk
            if window.range(of: needle) != nil { return true }
            carry = window.suffix(needle.count - 1)
        }
        return false
    }

    /// A position-independent executable: ET_DYN with a program interpreter.
    public var isPIE: Bool { type == 3 && sectionNames.contains(".interp") }
    /// Static relocations kept by `--emit-relocs`, which BOLT needs to move code.
    public var hasRelocations: Bool { sectionNames.contains { $0.hasPrefix(".rela.text") || $0.hasPrefix(".rel.text") } }
    public var isStripped: Bool { !sectionNames.contains(".symtab") }
    /// BOLT keeps the original code as `.bolt.org.text` and adds a note.
    public var isBolted: Bool { sectionNames.contains(".bolt.org.text") || sectionNames.contains(".note.bolt_info") }

    /// Clang's profile counters; present in every instrumented binary.
    public var hasProfileInstrumentation: Bool { sectionNames.contains("__llvm_prf_cnts") }
}
