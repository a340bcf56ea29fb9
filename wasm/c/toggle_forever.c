/*
 * toggle_forever: toggles the user LED (PA5 on NUCLEO-F446RE) as fast as the runtime allows.
 * The loop never returns; STOP ends it. This is the C twin of wat/toggle.wat.
 *
 *   toggle_forever()  -> never returns
 *   toggle_n(n)       -> toggles n times, returns n (a bounded run for tests and campaigns)
 *   app_main()        -> toggle_forever()
 */

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))

IMPORT("gpio_toggle") void gpio_toggle(void);

EXPORT("toggle_forever")
void toggle_forever(void)
{
	for (;;) {
		gpio_toggle();
	}
}

EXPORT("toggle_n")
int toggle_n(int n)
{
	for (int i = 0; i < n; i++) {
		gpio_toggle();
	}
	return n;
}

EXPORT("app_main")
void app_main(void)
{
	toggle_forever();
}
