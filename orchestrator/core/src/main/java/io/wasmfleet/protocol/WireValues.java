package io.wasmfleet.protocol;

import java.util.regex.Pattern;

/**
 * The rules that keep a value from changing the meaning of a wire line. Everything a user
 * types that ends up in a command goes through one of these checks first.
 */
public final class WireValues {

  /** What the firmware can store without cutting it: 1 to 31 of {@code [A-Za-z0-9_.-]}. */
  public static final Pattern MODULE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,31}");

  /** A plain export name: a C identifier of at most 64 characters. */
  public static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  private WireValues() {}

  public static String requireModuleId(String field, String id) {
    if (id == null) {
      throw WireFormatException.missing(field);
    }
    if (!MODULE_ID.matcher(id).matches()) {
      throw WireFormatException.invalid(
          field, id, "use 1 to 31 letters, digits, '_', '.' or '-'");
    }
    return id;
  }

  public static String requireFunctionName(String field, String name) {
    if (name == null) {
      throw WireFormatException.missing(field);
    }
    if (!FUNCTION_NAME.matcher(name).matches()) {
      throw WireFormatException.invalid(
          field, name, "an export name is a letter or '_' then up to 63 letters, digits or '_'");
    }
    return name;
  }

  public static long requirePositiveSize(String field, String text) {
    if (text == null) {
      throw WireFormatException.missing(field);
    }
    long size;
    try {
      size = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw WireFormatException.invalid(field, text, "expected a whole number of bytes");
    }
    if (size <= 0 || size > 0xffff_ffffL) {
      throw WireFormatException.invalid(field, text, "must be between 1 and 4294967295");
    }
    return size;
  }
}
