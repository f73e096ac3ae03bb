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
    /// The names in the dynamic symbol table (`.dynsym`): what the file imports and exports.
    public let dynamicSymbols: Set<String>
    /// The names in `.symtab`, when read (`symbolTable: true`); empty otherwise.
    public let staticSymbols: Set<String>
    /// GNU_PROPERTY_X86_FEATURE_1_AND from `.note.gnu.property` (bit 0 IBT, bit 1 SHSTK); 0 without one.
    public let x86Features: Int
    /// The build-id (`.note.gnu.build-id`) in lower-case hex: where debuggers look for split debug info.
    public let buildIDHex: String?

    public static func == (a: ELFFile, b: ELFFile) -> Bool {
        a.sectionNames == b.sectionNames && a.type == b.type && a.segments.elementsEqual(b.segments) { $0 == $1 }
            && a.dynamicFlags == b.dynamicFlags && a.dynamicSymbols == b.dynamicSymbols && a.x86Features == b.x86Features && a.buildIDHex == b.buildIDHex
    }

    /// nil when the file is not ELF (a script, an archive): nothing can be said about it.
    /// `symbolTable`: also read the static symbol table (`.symtab`) into `staticSymbols`
    /// (large in big programs; only who asks pays).
    public init?(path: String, symbolTable: Bool = false) {
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
        func section(_ index: Int) -> (name: Int, type: Int, offset: Int, size: Int, link: Int) {
            let base = index * entrySize
            return is64
                ? (integer(table, base, 4), integer(table, base + 4, 4), integer(table, base + 0x18, 8), integer(table, base + 0x20, 8), integer(table, base + 0x28, 4))
                : (integer(table, base, 4), integer(table, base + 4, 4), integer(table, base + 0x10, 4), integer(table, base + 0x14, 4), integer(table, base + 0x18, 4))
        }
        /// A section's bytes, within a sane size (a hostile header must not make us read gigabytes).
        func contents(_ index: Int, limit: Int = 64 << 20) -> Data? {
            let entry = section(index)
            guard entry.size > 0, entry.size <= limit, entry.type != 8,  // SHT_NOBITS
                (try? handle.seek(toOffset: UInt64(entry.offset))) != nil, let data = try? handle.read(upToCount: entry.size), data.count == entry.size
            else { return nil }
            return data
        }
        func cString(_ data: Data, at start: Int) -> String? {
            guard start >= 0, start < data.count else { return nil }
            let tail = data[(data.startIndex + start)...]
            let end = tail.firstIndex(of: 0) ?? data.endIndex
            return String(decoding: data[(data.startIndex + start)..<end], as: UTF8.self)
        }
        let strings = section(namesIndex)
        guard (try? handle.seek(toOffset: UInt64(strings.offset))) != nil,
            let names = try? handle.read(upToCount: strings.size)
        else { return nil }
        var result: Set<String> = []
        var symbols: Set<String> = []
        var staticNames: Set<String> = []
        var features = 0
        var buildID: String?
        for index in 0..<count {
            if let name = cString(names, at: section(index).name), !name.isEmpty {
                result.insert(name)
                if name == ".note.gnu.property", let note = contents(index, limit: 1 << 16) {
                    features |= Self.x86FeatureBits(note: note, is64: is64, integer: integer)
                }
                // One note: namesz, descsz, type 3 (NT_GNU_BUILD_ID), "GNU\0", then the id.
                if name == ".note.gnu.build-id", let note = contents(index, limit: 1 << 12), note.count >= 16 {
                    let nameSize = integer(note, 0, 4), descSize = integer(note, 4, 4)
                    let start = 12 + (nameSize + 3) / 4 * 4
                    if integer(note, 8, 4) == 3, descSize > 0, start + descSize <= note.count {
                        buildID = note[(note.startIndex + start)..<(note.startIndex + start + descSize)].map { String(format: "%02x", $0) }.joined()
                    }
                }
            }
            // SHT_DYNSYM (and SHT_SYMTAB when asked), with the string table in sh_link.
            let entry = section(index)
            if entry.type == 11 || (symbolTable && entry.type == 2), entry.link < count, let table = contents(index, limit: 256 << 20),
                let strings = contents(entry.link, limit: 256 << 20)
            {
                let width = is64 ? 24 : 16
                var offset = width  // entry 0 is the null symbol
                while offset + width <= table.count {
                    if let name = cString(strings, at: integer(table, offset, 4)), !name.isEmpty {
                        if entry.type == 11 { symbols.insert(name) } else { staticNames.insert(name) }
                    }
                    offset += width
                }
            }
        }
        sectionNames = result
        dynamicSymbols = symbols
        staticSymbols = staticNames
        x86Features = features
        buildIDHex = buildID
    }

    /// The GNU_PROPERTY_X86_FEATURE_1_AND bits in a `.note.gnu.property` section's notes.
    static func x86FeatureBits(note: Data, is64: Bool, integer: (Data, Int, Int) -> Int) -> Int {
        var bits = 0
        var offset = 0
        let align = is64 ? 8 : 4
        func rounded(_ value: Int) -> Int { (value + align - 1) / align * align }
        while offset + 12 <= note.count {
            let nameSize = integer(note, offset, 4)
            let descSize = integer(note, offset + 4, 4)
            let kind = integer(note, offset + 8, 4)
            // The name is padded to 4 bytes; the descriptor (and each property) to the class's 8 or 4.
            let descStart = offset + 12 + (nameSize + 3) / 4 * 4
            guard nameSize < 1 << 16, descSize < 1 << 16, descStart + descSize <= note.count else { break }
            if kind == 5 {  // NT_GNU_PROPERTY_TYPE_0
                var property = descStart
                while property + 8 <= descStart + descSize {
                    let type = integer(note, property, 4)
                    let size = integer(note, property + 4, 4)
                    guard size < 1 << 16, property + 8 + size <= descStart + descSize else { break }
                    if type == 0xc000_0002, size >= 4 { bits |= integer(note, property + 8, 4) }
                    property += 8 + rounded(size)
                }
            }
            offset = descStart + rounded(descSize)
        }
        return bits
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
    /// DWARF debug info, which `[install] split_debug` moves into a file of its own.
    public var hasDebugInfo: Bool { sectionNames.contains(".debug_info") }
    /// Stack protector: the file calls glibc's `__stack_chk_fail` (as hardening-check looks).
    public var hasStackProtector: Bool { dynamicSymbols.contains("__stack_chk_fail") || dynamicSymbols.contains("__stack_chk_guard") }
    /// FORTIFY_SOURCE: the checked variants of libc functions it imports (`__memcpy_chk`, ...).
    public var fortifiedFunctions: [String] {
        dynamicSymbols.filter { $0.hasPrefix("__") && $0.hasSuffix("_chk") && !$0.hasPrefix("__stack_chk") }.sorted()
    }

    /// The hardening a loader and a checker (checksec, hardening-check) see.
    public var hardening: Hardening {
        Hardening(
            pie: type == 3 ? (sectionNames.contains(".interp") ? "pie" : "shared object") : "no",
            relro: hasRelro ? (bindNow ? "full" : "partial") : "none",
            bindNow: bindNow,
            gnuStack: gnuStackExecutable.map { $0 ? "executable" : "non-executable" } ?? "missing",
            buildID: hasBuildID, stackProtector: hasStackProtector, fortify: fortifiedFunctions.count, ibt: x86Features & 1 != 0, shstk: x86Features & 2 != 0)
    }

    /// Clang's profile counters; present in every instrumented binary.
    public var hasProfileInstrumentation: Bool { sectionNames.contains("__llvm_prf_cnts") }
}
