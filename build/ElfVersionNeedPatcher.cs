// Marks one symbol-version requirement of an ELF64 shared library as weak, so that the dynamic
// loader accepts a libstdc++ that lacks that version.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and asks for
// GLIBCXX_3.4.32 through exactly one symbol, std::ios_base_library_init, which GCC 13's <iostream>
// references only to pull in the newer library; nothing calls it. Debian 12 ships GLIBCXX_3.4.30,
// so the load fails. A version need flagged VER_FLG_WEAK (0x2) that the provider lacks is not an
// error for ld.so. See docs/architecture.md, "Native loading".
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory as the PatchTorchSharpNative
// task (build/TorchSharpNative.targets), and by the test project with RMAS_ELF_PATCHER_NO_TASK
// defined, which leaves out the MSBuild task class and tests the pure patching logic.
#nullable enable
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace RecursiveMas.Build
{
    /// <summary>Result of <see cref="ElfVersionNeedPatcher.Patch"/>.</summary>
    public enum ElfPatchOutcome
    {
        /// <summary>The version need was strong and is now weak; the file was rewritten.</summary>
        Patched,
        /// <summary>The version need was already weak; the file was left untouched.</summary>
        AlreadyWeak,
        /// <summary>The library does not ask for that version at all; nothing to do.</summary>
        NotRequired,
    }

    /// <summary>Edits the <c>.gnu.version_r</c> (verneed) section of an ELF64 little-endian file.</summary>
    public static class ElfVersionNeedPatcher
    {
        const uint ShtGnuVerneed = 0x6ffffffe;
        const ushort VerFlgWeak = 0x2;

        /// <summary>
        /// Flags the version need <paramref name="versionName"/> weak in the file at
        /// <paramref name="path"/>. The file is replaced atomically (written beside it, then renamed),
        /// so an interrupted build never leaves a half-written library, and a hard link into a shared
        /// package cache is never written through.
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not the ELF layout this patch expects.</exception>
        public static ElfPatchOutcome Patch(string path, string versionName)
        {
            byte[] image = File.ReadAllBytes(path);
            int flagsOffset = FindVersionNeedFlagsOffset(image, path, versionName);
            if (flagsOffset < 0)
                return ElfPatchOutcome.NotRequired;
            ushort flags = ReadU16(image, flagsOffset);
            if ((flags & VerFlgWeak) != 0)
                return ElfPatchOutcome.AlreadyWeak;
            WriteU16(image, flagsOffset, (ushort)(flags | VerFlgWeak));

            // Copy first so the temp file keeps the original's permissions, then change two bytes.
            string temp = path + ".rmas-patch.tmp";
            File.Copy(path, temp, overwrite: true);
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write))
            {
                stream.Position = flagsOffset;
                stream.Write(image, flagsOffset, 2);
            }
            File.Replace(temp, path, destinationBackupFileName: null);
            return ElfPatchOutcome.Patched;
        }

        /// <summary>True when the version need exists and carries the weak flag.</summary>
        public static bool IsWeak(string path, string versionName)
        {
            byte[] image = File.ReadAllBytes(path);
            int flagsOffset = FindVersionNeedFlagsOffset(image, path, versionName);
            return flagsOffset >= 0 && (ReadU16(image, flagsOffset) & VerFlgWeak) != 0;
        }

        /// <summary>True when a shared library's bytes define the given symbol version (e.g. libstdc++ and GLIBCXX_3.4.32).</summary>
        public static bool DefinesVersion(string libraryPath, string versionName)
        {
            byte[] image = File.ReadAllBytes(libraryPath);
            byte[] needle = Encoding.ASCII.GetBytes(versionName + "\0");
            return IndexOf(image, needle) >= 0;
        }

        /// <summary>
        /// Offset of <c>vna_flags</c> of the Elf64_Vernaux entry named <paramref name="versionName"/>,
        /// or -1 when no entry carries that name.
        /// </summary>
        static int FindVersionNeedFlagsOffset(byte[] image, string path, string versionName)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                throw Bad(path, "not an ELF file");
            if (image[4] != 2 || image[5] != 1)
                throw Bad(path, "not a 64-bit little-endian ELF file");

            ulong sectionTable = ReadU64(image, 0x28);
            ushort sectionHeaderSize = ReadU16(image, 0x3A);
            ushort sectionCount = ReadU16(image, 0x3C);
            if (sectionHeaderSize != 64)
                throw Bad(path, $"section header size is {sectionHeaderSize}, expected 64");
            RequireRange(image, path, sectionTable, (ulong)sectionCount * 64, "section header table");

            for (int i = 0; i < sectionCount; i++)
            {
                int header = checked((int)sectionTable + i * 64);
                if (ReadU32(image, header + 4) != ShtGnuVerneed)
                    continue;

                ulong sectionOffset = ReadU64(image, header + 24);
                ulong sectionSize = ReadU64(image, header + 32);
                uint stringSectionIndex = ReadU32(image, header + 40);
                uint needCount = ReadU32(image, header + 44);
                RequireRange(image, path, sectionOffset, sectionSize, ".gnu.version_r");
                if (stringSectionIndex >= sectionCount)
                    throw Bad(path, ".gnu.version_r links to a string table that does not exist");
                int stringHeader = checked((int)sectionTable + (int)stringSectionIndex * 64);
                ulong stringsOffset = ReadU64(image, stringHeader + 24);
                ulong stringsSize = ReadU64(image, stringHeader + 32);
                RequireRange(image, path, stringsOffset, stringsSize, "verneed string table");

                ulong end = sectionOffset + sectionSize;
                ulong need = sectionOffset;
                for (uint n = 0; n < needCount; n++)
                {
                    if (need + 16 > end)
                        throw Bad(path, "Elf64_Verneed entry runs past .gnu.version_r");
                    ushort auxCount = ReadU16(image, (int)need + 2);
                    uint auxOffset = ReadU32(image, (int)need + 8);
                    uint nextNeed = ReadU32(image, (int)need + 12);
                    ulong aux = need + auxOffset;
                    for (int a = 0; a < auxCount; a++)
                    {
                        if (aux + 16 > end)
                            throw Bad(path, "Elf64_Vernaux entry runs past .gnu.version_r");
                        uint nameOffset = ReadU32(image, (int)aux + 8);
                        if (nameOffset >= stringsSize)
                            throw Bad(path, "Elf64_Vernaux name lies outside the string table");
                        if (NameEquals(image, (int)(stringsOffset + nameOffset), versionName))
                            return (int)aux + 4;
                        uint nextAux = ReadU32(image, (int)aux + 12);
                        if (nextAux == 0)
                            break;
                        aux += nextAux;
                    }
                    if (nextNeed == 0)
                        break;
                    need += nextNeed;
                }
                return -1;
            }
            throw Bad(path, "no .gnu.version_r (SHT_GNU_verneed) section");
        }

        static bool NameEquals(byte[] image, int offset, string name)
        {
            for (int i = 0; i < name.Length; i++)
                if (offset + i >= image.Length || image[offset + i] != (byte)name[i])
                    return false;
            return offset + name.Length < image.Length && image[offset + name.Length] == 0;
        }

        static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                if (haystack[i] != needle[0])
                    continue;
                int j = 1;
                while (j < needle.Length && haystack[i + j] == needle[j])
                    j++;
                if (j == needle.Length)
                    return i;
            }
            return -1;
        }

        static void RequireRange(byte[] image, string path, ulong offset, ulong size, string what)
        {
            if (offset > (ulong)image.Length || size > (ulong)image.Length - offset)
                throw Bad(path, $"{what} (offset {offset}, size {size}) lies outside the file ({image.Length} bytes)");
        }

        static InvalidDataException Bad(string path, string why) =>
            new InvalidDataException($"{path}: cannot mark the libstdc++ version need weak: {why}. The TorchSharp native library's layout is not what build/ElfVersionNeedPatcher.cs expects.");

        static ushort ReadU16(byte[] b, int o) => (ushort)(b[o] | b[o + 1] << 8);
        static uint ReadU32(byte[] b, int o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
        static ulong ReadU64(byte[] b, int o) => ReadU32(b, o) | (ulong)ReadU32(b, o + 4) << 32;
        static void WriteU16(byte[] b, int o, ushort v) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }
    }

#if !RMAS_ELF_PATCHER_NO_TASK
    /// <summary>
    /// MSBuild task: on Linux hosts whose libstdc++ lacks <see cref="RequiredVersion"/>, flags that
    /// version need weak in each given copy of libLibTorchSharp.so.
    /// </summary>
    public sealed class PatchTorchSharpNative : Microsoft.Build.Utilities.Task
    {
        /// <summary>The copies of libLibTorchSharp.so in the build or publish output.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary>The symbol version the library asks libstdc++ for.</summary>
        public string RequiredVersion { get; set; } = "GLIBCXX_3.4.32";

        /// <summary>Where to look for the host's libstdc++ (the first that exists is read).</summary>
        public string LibStdCxxCandidates { get; set; } =
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6;/lib/x86_64-linux-gnu/libstdc++.so.6;/usr/lib64/libstdc++.so.6;/usr/lib/libstdc++.so.6;/usr/lib/aarch64-linux-gnu/libstdc++.so.6";

        /// <summary>
        /// Patch whatever the host has: for output that is installed elsewhere (a packed dotnet tool), where
        /// the target machine's libstdc++ is unknown. A weak version need is harmless where the version exists.
        /// </summary>
        public bool Always { get; set; }

        public override bool Execute()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || Libraries.Length == 0)
                return true;

            string? hostLibrary = null;
            foreach (string candidate in LibStdCxxCandidates.Split(';'))
                if (candidate.Length > 0 && File.Exists(candidate)) { hostLibrary = candidate; break; }

            if (!Always && hostLibrary != null && ElfVersionNeedPatcher.DefinesVersion(hostLibrary, RequiredVersion))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                    $"{hostLibrary} defines {RequiredVersion}; TorchSharp's native library loads as shipped.");
                return true;
            }

            foreach (var item in Libraries)
            {
                string path = item.ItemSpec;
                try
                {
                    var outcome = ElfVersionNeedPatcher.Patch(path, RequiredVersion);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                        $"{path}: {RequiredVersion} version need {outcome} (host libstdc++: {hostLibrary ?? "not found"}).");
                }
                catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogError($"RMASBUILD001: {e.Message}");
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
