import TemperModel
import Foundation

/// Reads the section names of an ELF file (32/64-bit, little or big endian), without any
/// external tool. Enough to check what a build really produced: profile instrumentation
/// (`__llvm_prf_cnts`), and later relocations, symbols and BOLT's marks.
public struct ELFFile: Sendable, Equatable {
    public let sectionNames: Set<String>
    /// e_type: 2 for a fixed-address executable, 3 for a PIE or a shared object.
    public let type: Int
    /// Program header types (p_type) with their flags (p_flags), in file order.
    public let segments: [(type: Int, flags: Int)]
    /// DT_FLAGS, DT_FLAGS_1 and whether DT_BIND_NOW is present, from PT_DYNAMIC.
    public let dynamicFlags: (flags: Int, flags1: Int, bindNow: Bool)

    public static func == (a: ELFFile, b: ELFFile) -> Bool {
        a.sectionNames == b.sectionNames && a.type == b.type && a.segments.elementsEqual(b.segments) { $0 == $1 }
            && a.dynamicFlags == b.dynamicFlags
    }

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
        // Program headers: the loader's view (GNU_STACK, GNU_RELRO, DYNAMIC).
        let programTable = is64 ? integer(header, 0x20, 8) : integer(header, 0x1C, 4)
        let programEntrySize = is64 ? integer(header, 0x36, 2) : integer(header, 0x2A, 2)
        let programCount = is64 ? integer(header, 0x38, 2) : integer(header, 0x2C, 2)
        var segments: [(type: Int, flags: Int)] = []
        var dynamic: (offset: Int, size: Int)?
        if programTable > 0, programCount > 0, programCount < 4096, programEntrySize >= (is64 ? 56 : 32),
            (try? handle.seek(toOffset: UInt64(programTable))) != nil,
            let table = try? handle.read(upToCount: programEntrySize * programCount), table.count == programEntrySize * programCount
        {
            for index in 0..<programCount {
                let base = index * programEntrySize
                let kind = integer(table, base, 4)
                let flags = is64 ? integer(table, base + 4, 4) : integer(table, base + 0x18, 4)
                segments.append((kind, flags))
                if kind == 2 {  // PT_DYNAMIC
                    dynamic = is64 ? (integer(table, base + 8, 8), integer(table, base + 0x20, 8)) : (integer(table, base + 4, 4), integer(table, base + 0x10, 4))
                }
            }
        }
        self.segments = segments
        var dynamicFlags = (flags: 0, flags1: 0, bindNow: false)
        if let dynamic, dynamic.size > 0, dynamic.size < 1 << 20, (try? handle.seek(toOffset: UInt64(dynamic.offset))) != nil,
            let entries = try? handle.read(upToCount: dynamic.size)
        {
            let width = is64 ? 8 : 4
            var offset = 0
            while offset + 2 * width <= entries.count {
                let tag = integer(entries, offset, width)
                let value = integer(entries, offset + width, width)
                if tag == 0 { break }  // DT_NULL
                if tag == 24 { dynamicFlags.bindNow = true }  // DT_BIND_NOW
                if tag == 30 { dynamicFlags.flags = value }  // DT_FLAGS
                if tag == 0x6fff_fffb { dynamicFlags.flags1 = value }  // DT_FLAGS_1
                offset += 2 * width
            }
        }
        self.dynamicFlags = dynamicFlags
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

    /// PT_GNU_STACK: nil when the header is missing (the loader then assumes an executable
    /// stack, and glibc 2.41 refuses to dlopen such a library), else whether it is executable.
    public var gnuStackExecutable: Bool? {
        segments.first { $0.type == 0x6474_e551 }.map { $0.flags & 1 != 0 }
    }
    public var hasRelro: Bool { segments.contains { $0.type == 0x6474_e552 } }
    /// Symbols bound at load time (DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW): with RELRO, full RELRO.
    public var bindNow: Bool { dynamicFlags.bindNow || dynamicFlags.flags & 0x8 != 0 || dynamicFlags.flags1 & 0x1 != 0 }
    public var hasBuildID: Bool { sectionNames.contains(".note.gnu.build-id") }

    /// The hardening a loader and a checker (checksec, hardening-check) see.
    public var hardening: Hardening {
        Hardening(
            pie: type == 3 ? (sectionNames.contains(".interp") ? "pie" : "shared object") : "no",
            relro: hasRelro ? (bindNow ? "full" : "partial") : "none",
            bindNow: bindNow,
            gnuStack: gnuStackExecutable.map { $0 ? "executable" : "non-executable" } ?? "missing",
            buildID: hasBuildID)
    }

    /// Clang's profile counters; present in every instrumented binary.
    public var hasProfileInstrumentation: Bool { sectionNames.contains("__llvm_prf_cnts") }
}
