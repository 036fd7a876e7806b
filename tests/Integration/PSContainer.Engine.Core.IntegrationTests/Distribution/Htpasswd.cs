using System.Runtime.InteropServices;

namespace PSContainer.Engine.Core.IntegrationTests.Distribution;

/// <summary>
/// htpasswd lines with bcrypt hashes (the only kind the distribution registry accepts), made by
/// the system's libcrypt (libxcrypt: crypt_gensalt "$2b$" and crypt), so no apache2-utils is needed.
/// </summary>
internal static partial class Htpasswd
{
    public static string Line(string user, string password)
    {
        // Both functions return static buffers that must not be freed: read them as pointers.
        var salt = Marshal.PtrToStringUTF8(crypt_gensalt("$2b$", 10, IntPtr.Zero, 0))
            ?? throw new InvalidOperationException($"crypt_gensalt($2b$) failed: errno {Marshal.GetLastPInvokeError()}");
        var hash = Marshal.PtrToStringUTF8(crypt(password, salt));
        if (hash is null || !hash.StartsWith("$2b$", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"crypt(bcrypt) failed: errno {Marshal.GetLastPInvokeError()}, result \"{hash}\"");
        }
        return $"{user}:{hash}";
    }

    [LibraryImport("libcrypt.so.1", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial IntPtr crypt_gensalt(string prefix, ulong count, IntPtr randomBytes, int randomBytesLength);

    [LibraryImport("libcrypt.so.1", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial IntPtr crypt(string phrase, string setting);
}
