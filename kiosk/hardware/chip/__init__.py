"""The CCCD chip (ICAO 9303 eMRTD): BAC, secure messaging, data groups, passive authentication, the PC/SC adapter."""
