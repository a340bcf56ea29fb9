#include "uart_link.h"

#include <string.h>
#include <zephyr/device.h>
#include <zephyr/drivers/uart.h>
#include <zephyr/sys/ring_buffer.h>

static const struct device *const uart = DEVICE_DT_GET(DT_CHOSEN(zephyr_console));

RING_BUF_DECLARE(rx_ring, CONFIG_AGENT_RX_RING_SIZE);
RING_BUF_DECLARE(tx_ring, CONFIG_AGENT_TX_RING_SIZE);
static K_SEM_DEFINE(rx_ready, 0, 1);
static K_SEM_DEFINE(tx_ready, 0, 1);
static K_SEM_DEFINE(tx_room, 0, 1);
static K_MUTEX_DEFINE(tx_lock);
static uint32_t rx_overruns;

static void uart_isr(const struct device *dev, void *user_data)
{
	ARG_UNUSED(user_data);
	uint8_t chunk[16];

	while (uart_irq_update(dev) && uart_irq_rx_ready(dev)) {
		int n = uart_fifo_read(dev, chunk, sizeof(chunk));

		if (n <= 0) {
			break;
		}
		if (ring_buf_put(&rx_ring, chunk, (uint32_t)n) < (uint32_t)n) {
			rx_overruns++; /* the framer sees a broken line or payload, and says so */
		}
		k_sem_give(&rx_ready);
	}
}

size_t uart_link_read(uint8_t *buf, size_t len, k_timeout_t timeout)
{
	unsigned int key = irq_lock();
	uint32_t n = ring_buf_get(&rx_ring, buf, (uint32_t)len);

	irq_unlock(key);
	if (n > 0) {
		return n;
	}
	if (k_sem_take(&rx_ready, timeout) != 0) {
		return 0;
	}
	key = irq_lock();
	n = ring_buf_get(&rx_ring, buf, (uint32_t)len);
	irq_unlock(key);
	return n;
}

bool uart_link_has_input(void)
{
	unsigned int key = irq_lock();
	bool some = !ring_buf_is_empty(&rx_ring);

	irq_unlock(key);
	return some;
}

void uart_link_send(const char *text)
{
	size_t len = strlen(text);

	k_mutex_lock(&tx_lock, K_FOREVER); /* one line at a time, whole */
	while (len > 0) {
		uint32_t put = ring_buf_put(&tx_ring, (const uint8_t *)text, (uint32_t)len);

		text += put;
		len -= put;
		k_sem_give(&tx_ready);
		if (len > 0) {
			k_sem_take(&tx_room, K_MSEC(10));
		}
	}
	k_mutex_unlock(&tx_lock);
}

/* The one writer of the UART. */
static void tx_thread(void *a, void *b, void *c)
{
	ARG_UNUSED(a);
	ARG_UNUSED(b);
	ARG_UNUSED(c);
	uint8_t chunk[32];

	while (true) {
		uint32_t n = ring_buf_get(&tx_ring, chunk, sizeof(chunk));

		if (n == 0) {
			k_sem_take(&tx_ready, K_FOREVER);
			continue;
		}
		for (uint32_t i = 0; i < n; i++) {
			uart_poll_out(uart, chunk[i]);
		}
		k_sem_give(&tx_room);
	}
}

K_THREAD_DEFINE(uart_tx, 1024, tx_thread, NULL, NULL, NULL, K_PRIO_COOP(7), 0, 0);

int uart_link_init(void)
{
	if (!device_is_ready(uart)) {
		return -ENODEV;
	}
	uart_irq_callback_user_data_set(uart, uart_isr, NULL);
	uart_irq_rx_enable(uart);
	return 0;
}
