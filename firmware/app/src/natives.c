#include "natives.h"

#include <string.h>
#include <zephyr/drivers/gpio.h>
#include <zephyr/kernel.h>

#include "uart_link.h"
#include "workers.h"

static const struct gpio_dt_spec led = GPIO_DT_SPEC_GET(DT_ALIAS(led0), gpios);

int natives_init(void)
{
	if (!gpio_is_ready_dt(&led)) {
		return -ENODEV;
	}
	return gpio_pin_configure_dt(&led, GPIO_OUTPUT_INACTIVE);
}

void natives_gpio_toggle(void *slot_ctx)
{
	struct worker *w = slot_ctx;

	w->in_native = true;
	gpio_pin_toggle_dt(&led);
	w->toggles++;
	w->in_native = false;
}

/* Module text goes through the one TX queue as its own line, never inside a protocol line. */
static void natives_uart_print(void *slot_ctx, const char *text)
{
	struct worker *w = slot_ctx;
	char line[AGENT_MSG_MAX + 2];
	size_t n = strnlen(text, AGENT_MSG_MAX);

	w->in_native = true;
	memcpy(line, text, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	uart_link_send(line);
	w->in_native = false;
}

/* Toggles the LED, then sleeps ms, but wakes at once on STOP (1.0.0 slept in k_msleep, out of a stop's reach). */
static void natives_led_toggle(void *slot_ctx, int32_t ms)
{
	struct worker *w = slot_ctx;

	natives_gpio_toggle(w);
	w->in_native = true;
	if (w->stop == 0 && ms > 0) {
		k_sem_take(&w->stop_sem, K_MSEC(ms));
	}
	w->in_native = false;
}

const struct vm_wamr_natives natives_table = {
	.gpio_toggle = natives_gpio_toggle,
	.uart_print = natives_uart_print,
	.led_toggle = natives_led_toggle,
};
