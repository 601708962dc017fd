"""The bytes a JSON string of sockcheck's holds (reference/jsonio.h): a code
point U+10FF80..U+10FFFF is the byte of its low 8 bits, any other the
UTF-8 bytes of itself."""


def decode(s):
    if s is None:
        return None
    return b"".join(bytes([ord(c) & 0xFF]) if 0x10FF80 <= ord(c) <= 0x10FFFF
                    else c.encode("utf-8") for c in s)
