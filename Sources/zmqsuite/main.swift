import Harness
print(ZMQLibrary.version)
