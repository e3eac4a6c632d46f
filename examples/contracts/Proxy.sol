// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title EIP1967Proxy: delegates every call to an implementation stored at the EIP-1967 slot.
/// @notice Storage is only the two EIP-1967 slots (no sequential state variables, so the implementation's layout
///   starting at slot 0 cannot collide):
///   implementation at 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc = keccak("eip1967.proxy.implementation") - 1
///   admin          at 0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103 = keccak("eip1967.proxy.admin") - 1
///   Transparent-proxy rule: the admin can only call the admin functions; everyone else is always delegated.
contract EIP1967Proxy {
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    bytes32 internal constant ADMIN_SLOT = 0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103;

    event Upgraded(address indexed implementation);
    event AdminChanged(address previousAdmin, address newAdmin);

    constructor(address implementation_, address admin_, bytes memory initData) payable {
        _setImplementation(implementation_);
        _setAdmin(admin_);
        if (initData.length > 0) {
            (bool ok, bytes memory ret) = implementation_.delegatecall(initData);
            if (!ok) {
                assembly {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
    }

    fallback() external payable {
        if (msg.sender == _admin()) {
            _adminCall();
        } else {
            _delegate(_implementation());
        }
    }

    receive() external payable {
        _delegate(_implementation());
    }

    function _adminCall() private {
        bytes4 sel = msg.sig;
        if (sel == bytes4(keccak256("upgradeTo(address)"))) {
            address impl = abi.decode(msg.data[4:], (address));
            _setImplementation(impl);
        } else if (sel == bytes4(keccak256("changeAdmin(address)"))) {
            address newAdmin = abi.decode(msg.data[4:], (address));
            emit AdminChanged(_admin(), newAdmin);
            _setAdmin(newAdmin);
        } else if (sel == bytes4(keccak256("implementation()"))) {
            bytes memory out = abi.encode(_implementation());
            assembly {
                return(add(out, 32), mload(out))
            }
        } else {
            revert("Proxy: admin cannot fallback to proxy target");
        }
    }

    function _implementation() internal view returns (address impl) {
        bytes32 slot = IMPLEMENTATION_SLOT;
        assembly {
            impl := sload(slot)
        }
    }

    function _admin() internal view returns (address adm) {
        bytes32 slot = ADMIN_SLOT;
        assembly {
            adm := sload(slot)
        }
    }

    function _setImplementation(address impl) private {
        require(impl.code.length > 0, "Proxy: implementation is not a contract");
        bytes32 slot = IMPLEMENTATION_SLOT;
        assembly {
            sstore(slot, impl)
        }
        emit Upgraded(impl);
    }

    function _setAdmin(address adm) private {
        require(adm != address(0), "Proxy: zero admin");
        bytes32 slot = ADMIN_SLOT;
        assembly {
            sstore(slot, adm)
        }
    }

    function _delegate(address impl) private {
        assembly {
            calldatacopy(0, 0, calldatasize())
            let result := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch result
            case 0 {
                revert(0, returndatasize())
            }
            default {
                return(0, returndatasize())
            }
        }
    }
}

/// @title CounterVaultImpl: the implementation behind the proxy; its storage lives in the proxy.
/// @notice Storage (in the proxy's account): slot 0 owner (address) + initialized (bool, byte 20),
///   slot 1 count (global counter), slot 2 countOf (mapping address => uint256), slot 3 deposits (mapping address => uint256),
///   slot 4 totalDeposits.
contract CounterVaultImpl {
    address public owner;
    bool public initialized;
    uint256 public count;
    mapping(address => uint256) public countOf;
    mapping(address => uint256) public deposits;
    uint256 public totalDeposits;

    event Incremented(address indexed by, uint256 count);
    event Deposited(address indexed by, uint256 amount);
    event Withdrawn(address indexed by, uint256 amount);

    function initialize(address owner_) external {
        require(!initialized, "Impl: initialized");
        initialized = true;
        owner = owner_;
    }

    function increment() external returns (uint256) {
        count += 1;
        countOf[msg.sender] += 1;
        emit Incremented(msg.sender, count);
        return count;
    }

    function incrementBy(uint256 n) external returns (uint256) {
        require(n > 0 && n <= 1000, "Impl: bad step");
        count += n;
        countOf[msg.sender] += n;
        emit Incremented(msg.sender, count);
        return count;
    }

    function deposit() external payable {
        deposits[msg.sender] += msg.value;
        totalDeposits += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external {
        require(deposits[msg.sender] >= amount, "Impl: insufficient");
        deposits[msg.sender] -= amount;
        totalDeposits -= amount;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "Impl: ETH transfer failed");
        emit Withdrawn(msg.sender, amount);
    }

    function reset() external {
        require(msg.sender == owner, "Impl: not owner");
        count = 0;
    }

    function version() external pure returns (uint256) {
        return 1;
    }
}
