package stack

import (
	"net"
	"testing"
)

func TestEndpointReachesListenerFromThisMachine(t *testing.T) {
	for _, tt := range []struct {
		ip   net.IP
		want string
	}{
		{net.IPv4(127, 0, 0, 1), "http://127.0.0.1:9701"},
		{net.IPv4zero, "http://127.0.0.1:9701"},
		{net.IPv6unspecified, "http://[::1]:9701"},
		{net.IPv6loopback, "http://[::1]:9701"},
		{net.IPv4(192, 168, 1, 20), "http://192.168.1.20:9701"},
	} {
		if got := endpoint(&net.TCPAddr{IP: tt.ip, Port: 9701}); got != tt.want {
			t.Errorf("endpoint(%v) = %s, want %s", tt.ip, got, tt.want)
		}
	}
}
