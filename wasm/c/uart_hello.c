/*
 * uart_hello: prints a greeting on the board's console (the same UART as the protocol).
 *
 *   hello(n)     -> prints "hello from wasm <i>/<n>" n times, returns n
 *   app_main(n)  -> hello(n)
 */

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))

IMPORT("uart_print") void uart_print(const char *text);

static char line[48];

/* Appends the decimal form of v at p; returns the new end. */
static char *put_uint(char *p, unsigned int v)
{
	char digits[10];
	int count = 0;

	do {
		digits[count++] = (char)('0' + v % 10U);
		v /= 10U;
	} while (v != 0U);
	while (count > 0) {
		*p++ = digits[--count];
	}
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s != '\0') {
		*p++ = *s++;
	}
	return p;
}

EXPORT("hello")
int hello(int n)
{
	for (int i = 1; i <= n; i++) {
		char *p = put_str(line, "hello from wasm ");

		p = put_uint(p, (unsigned int)i);
		*p++ = '/';
		p = put_uint(p, (unsigned int)n);
		*p = '\0';
		uart_print(line);
	}
	return n;
}

EXPORT("app_main")
int app_main(int n)
{
	return hello(n);
}
